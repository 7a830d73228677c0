import Glibc
import RoostLinux
import RoostSpec

/// A container's cgroup on a cgroup v2 (unified) host: one directory, as runc's fs2 driver
/// makes it. `root` is the unified mount point (/sys/fs/cgroup on a v2 host; injectable for
/// tests and for the unified mount of a hybrid host).
public struct CgroupV2: CgroupDriver, Equatable {
    public static let defaultRoot = "/sys/fs/cgroup"

    public var root: String
    /// The container's cgroup directory, below `root`.
    public var path: String

    public init(root: String = CgroupV2.defaultRoot, path: String) {
        self.root = root
        self.path = path
    }

    /// runc's fs2 paths (fs2/defaultpath.go defaultDirPath): an absolute `cgroupsPath` from the
    /// root of the hierarchy; a relative one (the container's id when none is given) below the
    /// *parent* of roost's own cgroup (its own usually has processes, so controllers could not
    /// be enabled below it). A relative path cannot climb out with "..", as runc's cleanPath.
    public static func paths(cgroupsPath: String?, id: String, root: String = CgroupV2.defaultRoot) throws(SyscallError) -> CgroupV2 {
        let text = String(decoding: try FileIO.read("/proc/self/cgroup"), as: UTF8.self)
        guard let own = ownCgroup(text) else { throw SyscallError("read", "/proc/self/cgroup (no cgroup v2 entry)", errno: ENOENT) }
        return CgroupV2(root: root, path: location(cgroupsPath: cgroupsPath, id: id, root: root, ownCgroup: own))
    }

    /// The directory for `cgroupsPath` (or `id`) given roost's own v2 cgroup `ownCgroup`.
    public static func location(cgroupsPath: String?, id: String, root: String, ownCgroup: String) -> String {
        let given = cgroupsPath.flatMap { $0.isEmpty ? nil : $0 } ?? id
        let inner: String
        if given.hasPrefix("/") {
            inner = InRoot.clean(given)
        } else {
            let parent = InRoot.split(InRoot.clean(ownCgroup)).0
            inner = InRoot.clean(parent + InRoot.clean("/" + given))
        }
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return inner == "/" ? (base.isEmpty ? "/" : base) : base + inner
    }

    /// The path on /proc/PID/cgroup's "0::" line.
    static func ownCgroup(_ procCgroup: String) -> String? {
        for line in procCgroup.split(separator: "\n") where line.hasPrefix("0::") {
            return String(line.dropFirst(3))
        }
        return nil
    }

    /// The one directory, under the controllers name "" (the unified hierarchy's, as
    /// /proc/PID/cgroup spells it).
    public var directories: [CgroupDirectory] { [CgroupDirectory(controllers: "", path: path)] }
    public var unified: CgroupV2? { self }

    // MARK: lifecycle

    /// Makes the directory and its missing parents, enabling in each level's
    /// cgroup.subtree_control (the root's included) every controller that level offers, so
    /// the container's cgroup gets them all (fs2/create.go CreateCgroupPath). A level that is
    /// "domain invalid" becomes "threaded", or is refused when `resources` need a domain
    /// controller (memory, io, cpu, hugetlb); so is a threaded one. Directories made here are
    /// removed again on failure.
    public func create(resources: Spec.Resources? = nil) throws(CgroupError) {
        try create(resources: resources, files: HostFiles())
    }

    func create(resources: Spec.Resources?, files: some CgroupFiles) throws(CgroupError) {
        let base = InRoot.clean(root)
        let target = InRoot.clean(path)
        guard target == base || target.hasPrefix(base == "/" ? "/" : base + "/") else {
            throw CgroupError(path: "linux.cgroupsPath", problem: "\(path) is not below the cgroup v2 mount \(root)")
        }
        let parts = target.dropFirst(base == "/" ? 1 : base.count + 1).split(separator: "/").map(String.init)
        var made: [String] = []
        var current = base
        do throws(CgroupError) {
            for i in 0...parts.count {
                if i > 0 {
                    current = (current == "/" ? "" : current) + "/" + parts[i - 1]
                    do {
                        if try files.makeDirectory(current) { made.append(current) }
                    } catch {
                        throw CgroupError(path: "linux.cgroupsPath", problem: error.description)
                    }
                    try checkType(current, resources, files)
                }
                if i < parts.count { enableControllers(current, files) }
            }
        } catch {
            for dir in made.reversed() { files.removeDirectory(dir) }
            throw error
        }
    }

    private func checkType(_ dir: String, _ r: Spec.Resources?, _ files: some CgroupFiles) throws(CgroupError) {
        guard let type = try? files.read(dir + "/cgroup.type").trimmingWhitespace else { return }
        let domain = r.map(Self.needsDomainController) ?? false
        switch type {
        case "domain invalid":
            if domain {
                throw CgroupError(path: "linux.cgroupsPath", problem: "cannot use \(dir) with domain controllers: its cgroup.type is \"domain invalid\"")
            }
            try? files.write(dir + "/cgroup.type", "threaded")
        case "domain threaded", "threaded":
            if domain {
                throw CgroupError(path: "linux.cgroupsPath", problem: "cannot use \(dir) with domain controllers: its cgroup.type is \"\(type)\"")
            }
        default: break
        }
    }

    /// All at once, else one by one; a controller that will not enable is left for the write
    /// of its resource to report (runc ignores these errors too).
    private func enableControllers(_ dir: String, _ files: some CgroupFiles) {
        guard let available = try? files.read(dir + "/cgroup.controllers") else { return }
        let names = available.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard !names.isEmpty else { return }
        let file = dir + "/cgroup.subtree_control"
        do { try files.write(file, names.map { "+" + $0 }.joined(separator: " ")) } catch {
            for name in names { try? files.write(file, "+" + name) }
        }
    }

    /// runc's containsDomainController: memory, io, cpu or hugetlb resources are set.
    static func needsDomainController(_ r: Spec.Resources) -> Bool {
        isMemorySet(r) || isIOSet(r) || isCPUSet(r) || !(r.hugepageLimits ?? []).isEmpty
    }

    /// Moves `pid` into the cgroup. EINVAL can mean the task is still being set up: retried
    /// a few times, as runc's WriteCgroupProc.
    public func place(_ pid: Int32) throws(SyscallError) {
        var tries = 0
        while true {
            do {
                try FileIO.writeExisting(path + "/cgroup.procs", String(pid))
                return
            } catch {
                tries += 1
                if error.errno != EINVAL || tries >= 5 { throw error }
                usleep(30_000)
            }
        }
    }

    /// The processes in the cgroup and in any cgroups below it (runc's GetAllPids).
    public func processes() -> [Int32] {
        var out: [Int32] = []
        func walk(_ dir: String) {
            if let text = try? FileIO.read(dir + "/cgroup.procs") {
                out += String(decoding: text, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
            }
            for child in subdirectories(dir) { walk(child) }
        }
        walk(path)
        return out
    }

    /// Removes the cgroup and any below it, innermost first, retrying one still emptying.
    @discardableResult
    public func remove() -> CgroupError? {
        CgroupV1.removeTree(path)
        return nil
    }

    /// SIGKILLs every process in the cgroup at once through cgroup.kill (Linux 5.14); false
    /// when the kernel has no cgroup.kill, so the caller signals the processes one by one
    /// (runc's signalAllProcesses).
    public func killAll() throws(SyscallError) -> Bool {
        do {
            try FileIO.writeExisting(path + "/cgroup.kill", "1")
            return true
        } catch {
            if error.errno == ENOENT { return false }
            throw error
        }
    }

    // MARK: freezer

    /// Whether the kernel has the v2 freezer (cgroup.freeze, Linux 5.2).
    public var canFreeze: Bool { FileIO.exists(path + "/cgroup.freeze") }

    /// Freezes or thaws every process; a freeze waits until cgroup.events says "frozen 1"
    /// (fs2/freezer.go: up to 10 s). Thawing without a v2 freezer is a no-op, as runc.
    public func setFrozen(_ frozen: Bool) throws(SyscallError) {
        let file = path + "/cgroup.freeze"
        if !FileIO.exists(file) {
            if !frozen { return }
            throw SyscallError("freeze", "\(path) (no cgroup.freeze: the kernel has no cgroup v2 freezer)", errno: ENOTSUP)
        }
        try FileIO.writeExisting(file, frozen ? "1" : "0")
        guard frozen else { return }
        for i in 0..<1100 {
            if frozenEvent() == true { return }
            usleep(i < 100 ? 1000 : 10_000)
        }
        throw SyscallError("freeze", "\(path) (cgroup.events never said frozen 1)", errno: EBUSY)
    }

    /// "FROZEN", "FREEZING" (asked, not yet done) or "THAWED", as the v1 freezer names its
    /// states; nil without a v2 freezer.
    public func freezerState() -> String? {
        guard let b = try? FileIO.read(path + "/cgroup.freeze") else { return nil }
        switch String(decoding: b, as: UTF8.self).trimmingWhitespace {
        case "0": return "THAWED"
        case "1": return frozenEvent() == true ? "FROZEN" : "FREEZING"
        default: return nil
        }
    }

    private func frozenEvent() -> Bool? {
        guard let b = try? FileIO.read(path + "/cgroup.events") else { return nil }
        for line in String(decoding: b, as: UTF8.self).split(separator: "\n") where line.hasPrefix("frozen ") {
            return line.dropFirst(7) == "1"
        }
        return nil
    }
}

func subdirectories(_ path: String) -> [String] {
    (FileIO.entries(path) ?? []).filter(\.isDirectory).map { path + "/" + $0.name }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// The v2 driver's file access: the host's, or a fake in unit tests.
protocol CgroupFiles {
    func read(_ path: String) throws(SyscallError) -> String
    func write(_ path: String, _ value: String) throws(SyscallError)
    func exists(_ path: String) -> Bool
    /// mkdir; false when the directory was already there.
    func makeDirectory(_ path: String) throws(SyscallError) -> Bool
    func removeDirectory(_ path: String)
    /// The names in a directory.
    func list(_ path: String) -> [String]
    func installDeviceFilter(_ program: [BPFInstruction], on dir: String) throws(SyscallError)
}

struct HostFiles: CgroupFiles {
    func read(_ path: String) throws(SyscallError) -> String { String(decoding: try FileIO.read(path), as: UTF8.self) }
    func write(_ path: String, _ value: String) throws(SyscallError) { try FileIO.writeExisting(path, value) }
    func exists(_ path: String) -> Bool { FileIO.exists(path) }
    func makeDirectory(_ path: String) throws(SyscallError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw SyscallError("mkdir", path)
    }
    func removeDirectory(_ path: String) { rmdir(path) }
    func list(_ path: String) -> [String] { (FileIO.entries(path) ?? []).map(\.name) }
    func installDeviceFilter(_ program: [BPFInstruction], on dir: String) throws(SyscallError) {
        try DeviceFilter.install(program, on: dir)
    }
}
