import Glibc
import RoostLinux
import RoostSpec

/// A container's cgroup on a cgroup v1 (or hybrid) host: one directory per mounted hierarchy,
/// the unified one of a hybrid host included, as runc's fs driver makes them.
public struct CgroupV1: CgroupDriver, Equatable {
    public var directories: [CgroupDirectory]

    public init(directories: [CgroupDirectory]) { self.directories = directories }

    /// Where process `pid` ("self" for roost) sits in each mounted hierarchy: its controllers as
    /// /proc/PID/cgroup names them ("" for the unified one), the hierarchy's mount point (the
    /// first mount of it, the host's), and the cgroup path. The one reader of cgroup mounts.
    public static func placement(of pid: String = "self") throws(SyscallError) -> [(controllers: String, mountpoint: String, path: String)] {
        // Bytes, not Characters: splitting Strings by Character cost more than all the rest of a
        // `run` (grapheme breaking over every byte of mountinfo).
        let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n"), colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
        let mountinfo = try FileIO.read("/proc/self/mountinfo")
        var points: [String: String] = [:]
        for line in mountinfo.split(separator: newline) {
            let f = line.split(separator: space)
            guard let dash = f.firstIndex(where: { $0.count == 1 && $0.first == UInt8(ascii: "-") }), f.count > dash + 3,
                f[3].elementsEqual("/".utf8)
            else { continue }
            let type = f[dash + 1]
            if type.elementsEqual("cgroup2".utf8) {
                points[""] = points[""] ?? String(decoding: f[4], as: UTF8.self)
            } else if type.elementsEqual("cgroup".utf8) {
                let options = f[dash + 3].split(separator: comma).filter { !$0.elementsEqual("rw".utf8) && !$0.elementsEqual("ro".utf8) }
                let key = options.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",")
                points[key] = points[key] ?? String(decoding: f[4], as: UTF8.self)
            }
        }
        var out: [(String, String, String)] = []
        for line in try FileIO.read("/proc/\(pid)/cgroup").split(separator: newline) {
            let f = line.split(separator: colon, maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            let controllers = String(decoding: f[1], as: UTF8.self)
            guard let point = points[controllers] else { continue }
            out.append((controllers, point, String(decoding: f[2], as: UTF8.self)))
        }
        return out
    }

    /// runc's fs-driver paths: an absolute `cgroupsPath` from each hierarchy's root; a relative
    /// one (the container's id when none is given) below roost's own cgroup in that hierarchy.
    public static func paths(cgroupsPath: String?, id: String) throws(SyscallError) -> CgroupV1 {
        let given = cgroupsPath.flatMap { $0.isEmpty ? nil : $0 } ?? id
        var dirs: [CgroupDirectory] = []
        for h in try placement() {
            let base = given.hasPrefix("/") ? "" : (h.path == "/" ? "" : h.path)
            let inner = InRoot.clean(base + "/" + given)
            dirs.append(CgroupDirectory(controllers: h.controllers, path: h.mountpoint + inner))
        }
        return CgroupV1(directories: dirs)
    }


    func directory(_ controller: String) -> String? {
        directories.first { $0.controllers.fields(",").contains(Substring(controller)) }?.path
    }

    /// Makes every directory (and missing parents). A cpuset cgroup with no CPUs or memory nodes
    /// refuses tasks (ENOSPC): every level from the first one that has both down to the
    /// container's, made here or before (a pod's, by an engine), gets its parent's where it has
    /// none (runc's cpusetEnsureParent).
    public func create(resources: Spec.Resources? = nil) throws(CgroupError) {
        do { try makeDirectories() } catch { throw CgroupError(path: "linux.cgroupsPath", problem: error.description) }
    }

    private func makeDirectories() throws(SyscallError) {
        for d in directories {
            var missing: [String] = []
            var p = d.path
            while !FileIO.exists(p) {
                missing.append(p)
                p = InRoot.split(p).0
            }
            for dir in missing.reversed() {
                if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw SyscallError("mkdir", dir) }
            }
            if d.controllers.fields(",").contains("cpuset") { try fillCpusets(down: d.path) }
        }
    }

    /// From the nearest ancestor of `target` (or itself) whose cpuset.cpus and cpuset.mems are
    /// set, down to `target`: each empty one takes its parent's.
    private func fillCpusets(down target: String) throws(SyscallError) {
        func value(_ dir: String, _ file: String) -> String? {
            (try? FileIO.read(dir + "/" + file)).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace }
        }
        var chain: [String] = []
        var dir = target
        while dir != "/", FileIO.exists(dir + "/cpuset.cpus") {
            chain.append(dir)
            if value(dir, "cpuset.cpus")?.isEmpty == false && value(dir, "cpuset.mems")?.isEmpty == false { break }
            dir = InRoot.split(dir).0
        }
        for dir in chain.reversed().dropFirst() {
            let parent = InRoot.split(dir).0
            for file in ["cpuset.cpus", "cpuset.mems"] where value(dir, file)?.isEmpty != false {
                try FileIO.writeExisting(dir + "/" + file, value(parent, file) ?? "")
            }
        }
    }

    /// Moves `pid` into every directory.
    public func place(_ pid: Int32) throws(SyscallError) {
        for d in directories { try FileIO.writeExisting(d.path + "/cgroup.procs", String(pid)) }
    }

    /// The processes in the container's cgroup.
    public func processes() -> [Int32] {
        guard let d = directories.first(where: { $0.controllers.contains("pids") || $0.controllers == "name=systemd" }) ?? directories.first,
            let text = try? FileIO.read(d.path + "/cgroup.procs")
        else { return [] }
        return String(decoding: text, as: UTF8.self).fields("\n").compactMap { Int32($0) }
    }

    /// Removes every directory with any sub-cgroups made in it (exec --cgroup, the container's
    /// own), innermost first; a cgroup still emptying is retried briefly.
    @discardableResult
    public func remove() -> CgroupError? {
        for d in directories.reversed() { Self.removeTree(d.path) }
        return nil
    }

    /// Through the unified directory's cgroup.kill, on a hybrid host that has one (as runc).
    public func killAll() throws(SyscallError) -> Bool {
        guard let unified = directories.first(where: { $0.controllers == "" }) else { return false }
        return try CgroupV2(root: unified.path, path: unified.path).killAll()
    }

    static func removeTree(_ path: String) {
        for child in subdirectories(path) { removeTree(child) }
        // A cgroup whose last task just exited stays busy for a moment: retry in short steps
        // (up to half a second) rather than sleep long on the common path.
        var tries = 0
        while rmdir(path) != 0 && errno == EBUSY && tries < 500 {
            usleep(1000)
            tries += 1
        }
    }

    // MARK: freezer

    public var canFreeze: Bool { directory("freezer") != nil }

    /// Freezes or thaws every process, waiting until the kernel says it is done.
    public func setFrozen(_ frozen: Bool) throws(SyscallError) {
        guard let dir = directory("freezer") else { throw SyscallError("freeze", "no freezer hierarchy", errno: ENOTSUP) }
        let want = frozen ? "FROZEN" : "THAWED"
        for _ in 0..<1000 {
            try FileIO.writeExisting(dir + "/freezer.state", want)
            if freezerState() == want { return }
            usleep(1000)
        }
        throw SyscallError("freeze", dir, errno: EBUSY)
    }

    public func freezerState() -> String? {
        guard let dir = directory("freezer"), let b = try? FileIO.read(dir + "/freezer.state") else { return nil }
        return String(decoding: b, as: UTF8.self).trimmingNewlines
    }
}

extension String {
    var trimmingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" { s = s.dropLast() }
        return String(s)
    }
}
