import Glibc
import RoostCgroups
import RoostLinux

/// The namespaces of a container's init that differ from roost's own, open: what `exec` joins.
/// Owned: the parent's copies close when it goes; the exec child closes its own once joined.
struct NamespaceJoins: ~Copyable {
    private(set) var kinds: [NamespaceKind] = []
    private(set) var fds = FileDescriptors()

    static func of(pid: Int32) throws(SyscallError) -> NamespaceJoins {
        var out = NamespaceJoins()
        for kind in NamespaceKind.joinOrder where kind.isAvailable {
            let theirs = "/proc/\(pid)/ns/\(kind.procName)"
            guard let target = try? readlink(theirs) else { throw SyscallError("readlink", theirs) }
            if (try? readlink("/proc/self/ns/\(kind.procName)")) == target { continue }
            out.fds.append(try FileDescriptor.open(theirs, O_RDONLY))
            out.kinds.append(kind)
        }
        return out
    }

    var hasUser: Bool { kinds.contains(.user) }

    /// The fd of the `kind` namespace; -1 when it is not joined.
    func fd(_ kind: NamespaceKind) -> Int32 { kinds.firstIndex(of: kind).map { fds.raws[$0] } ?? -1 }

    /// Closes them all now.
    mutating func close() { for i in 0..<fds.count { fds.close(i) } }
}

/// The cgroup directories that put a process where a container's init is, in every hierarchy
/// (v1) and the unified one; with `exec --cgroup`, in a sub-cgroup of it.
enum CgroupJoin {
    /// `sub`: runc's exec --cgroup values, `PATH` for every hierarchy or `CTRL[,CTRL]:PATH` for
    /// those; a named sub-cgroup must exist.
    static func of(pid: Int32, sub: [String] = []) throws -> [CgroupDirectory] {
        var byController: [String: String] = [:]
        var everywhere: String?
        for s in sub {
            if let colon = s.firstIndex(of: ":") {
                for c in s[..<colon].fields(",") { byController[String(c)] = String(s[s.index(after: colon)...]) }
            } else {
                everywhere = s
            }
        }
        let moving = everywhere != nil || !byController.isEmpty
        let hierarchies = directories(of: pid)
        func names(_ controllers: String) -> [String] {
            controllers.fields(",").map { $0.hasPrefix("name=") ? String($0.dropFirst(5)) : String($0) }
        }
        // matches runc: a controller the container has no hierarchy of is an error, not ignored.
        let known = Set(hierarchies.flatMap { names($0.0) })
        if let unknown = byController.keys.sorted().first(where: { !known.contains($0) }) {
            throw RuntimeError.usage("exec --cgroup: unknown controller \(unknown)")
        }
        var out: [CgroupDirectory] = []
        for (controllers, dir, same) in hierarchies {
            let wanted = names(controllers).lazy.compactMap { byController[$0] }.first ?? everywhere
            if let wanted {
                // matches runc: the sub-cgroup is the container's or below it, never above.
                let target = InRoot.clean(dir + "/" + wanted)
                guard target == dir || target.hasPrefix(dir + "/") else {
                    throw RuntimeError.usage("exec --cgroup: bad sub cgroup path: \(wanted)")
                }
                guard FileIO.isDirectory(target) else {
                    throw RuntimeError.usage("exec --cgroup: error adding pid to cgroups: \(target): \(FileIO.describe(ENOENT)) (the sub-cgroup must exist)")
                }
                out.append(CgroupDirectory(controllers: controllers, path: target))
            } else if !same || moving {
                out.append(CgroupDirectory(controllers: controllers, path: dir))
            }
        }
        return out
    }

    /// (controllers, init's directory, whether roost is already there) per hierarchy.
    private static func directories(of pid: Int32) -> [(String, String, Bool)] {
        guard let theirs = try? CgroupV1.placement(of: String(pid)), let ours = try? CgroupV1.placement() else { return [] }
        return theirs.map { t in
            let same = ours.contains { $0.controllers == t.controllers && $0.path == t.path }
            return (t.controllers, t.mountpoint + (t.path == "/" ? "" : t.path), same)
        }
    }
}

