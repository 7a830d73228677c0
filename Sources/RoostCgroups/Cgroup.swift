import CRoostShim
import Glibc
import RoostLinux
import RoostSpec

/// A container's cgroup under either driver, so the runtime can hold one without caring which:
/// v1 (a legacy or hybrid host: one directory per hierarchy) or v2 (a unified host).
public enum Cgroup: Sendable, Equatable {
    case v1(CgroupV1)
    case v2(CgroupV2)
    /// A v2 cgroup that is a systemd scope (--systemd-cgroup): made and removed over D-Bus.
    case systemd(CgroupSystemd)

    /// How the host mounts cgroups.
    public enum Mode: Sendable, Equatable {
        /// v1 hierarchies only.
        case legacy
        /// v1 hierarchies, plus a cgroup2 mount (…/unified) that holds few or no controllers.
        case hybrid
        /// /sys/fs/cgroup is itself a cgroup2 mount: the v2 driver's host.
        case unified
    }

    /// This host's mode, read once per process.
    public static let host = detect()

    /// runc's IsCgroup2UnifiedMode: the mount point's filesystem is cgroup2.
    public static func detect(_ mountPoint: String = CgroupV2.defaultRoot) -> Mode {
        let cgroup2: Int = 0x6367_7270  // CGROUP2_SUPER_MAGIC
        if roost_statfs_type(mountPoint) == cgroup2 { return .unified }
        return roost_statfs_type(mountPoint + "/unified") == cgroup2 ? .hybrid : .legacy
    }

    /// The driver the host calls for, at runc's fs/fs2 paths for `cgroupsPath` (or `id`).
    public static func paths(cgroupsPath: String?, id: String, mode: Mode = host, systemd: Bool = false) throws -> Cgroup {
        if systemd {
            guard mode == .unified else {
                throw CgroupError(path: "linux.cgroupsPath", problem: "the systemd cgroup driver needs a cgroup v2 (unified) host")
            }
            return .systemd(try CgroupSystemd.paths(cgroupsPath: cgroupsPath, id: id))
        }
        if mode == .unified { return .v2(try CgroupV2.paths(cgroupsPath: cgroupsPath, id: id)) }
        return .v1(try CgroupV1.paths(cgroupsPath: cgroupsPath, id: id))
    }

    /// The directories to record in the container's state: v1's per hierarchy; v2's one, under
    /// the controllers name "" (the unified hierarchy's, as /proc/PID/cgroup spells it).
    public var directories: [CgroupDirectory] {
        switch self {
        case .v1(let c): return c.directories
        case .v2(let c): return [CgroupDirectory(controllers: "", path: c.path)]
        case .systemd(let c):
            return [CgroupDirectory(controllers: "", path: c.v2.path), CgroupDirectory(controllers: Self.systemdUnitKey, path: c.unit)]
        }
    }

    /// The cgroup again from recorded `directories`: on a unified host the one "" directory is
    /// the v2 cgroup.
    public init(recorded: [CgroupDirectory], mode: Mode = host) {
        if mode == .unified, recorded.count == 2, let dir = recorded.first(where: { $0.controllers == "" }),
           let unit = recorded.first(where: { $0.controllers == Self.systemdUnitKey }) {
            self = .systemd(CgroupSystemd(slice: "", unit: unit.path, name: "", v2: CgroupV2(path: dir.path)))
            return
        }
        if mode == .unified, recorded.count == 1, recorded[0].controllers == "" {
            self = .v2(CgroupV2(path: recorded[0].path))
        } else {
            self = .v1(CgroupV1(directories: recorded))
        }
    }

    /// The cgroup v2 directory, for the v2 driver and a systemd scope alike.
    public var unified: CgroupV2? {
        switch self {
        case .v1: return nil
        case .v2(let c): return c
        case .systemd(let c): return c.v2
        }
    }

    /// Where the state records a systemd scope's unit name, beside its "" directory.
    public static let systemdUnitKey = "systemd-unit"

    /// Whether the cgroup can exist only around a process: a systemd scope, which systemd makes
    /// with its first process in it (`startScope`) rather than before it, as a directory.
    public var madeAroundProcess: Bool {
        if case .systemd = self { return true }
        return false
    }

    /// A systemd scope: asks systemd to make it with `pid` in it, the resources and device rules
    /// as unit properties, then writes the resources into its directory (runc's Apply and Set).
    public func startScope(pid: Int32, resources: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        guard case .systemd(let c) = self else { return }
        try c.start(pid: pid, resources: resources, devices: devices)
    }

    /// `update`: the new resources into the cgroup (for a systemd scope, also as unit properties).
    public func update(_ r: Spec.Resources) throws(CgroupError) {
        if case .systemd(let c) = self { try c.update(r) } else { try apply(r, devices: nil) }
    }

    /// Makes the cgroup. `resources` lets v2 refuse a threaded subtree for domain controllers.
    /// Not a systemd scope's: that is made around its first process (`startScope`).
    public func create(resources: Spec.Resources? = nil) throws(CgroupError) {
        switch self {
        case .systemd: break
        case .v1(let c):
            do { try c.create() } catch { throw CgroupError(path: "linux.cgroupsPath", problem: error.description) }
        case .v2(let c): try c.create(resources: resources)
        }
    }

    public func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        switch self {
        case .v1(let c): try c.apply(r, devices: devices)
        case .v2(let c): try c.apply(r, devices: devices)
        case .systemd(let c): try c.v2.apply(r, devices: devices)
        }
    }

    /// What lets a new process enter this cgroup itself (see CgroupJoinHandles): v2's one
    /// directory is the clone's CLONE_INTO_CGROUP.
    public func openJoin() throws(SyscallError) -> CgroupJoinHandles {
        switch self {
        case .v1(let c): return try c.openJoin()
        case .v2(let c): return try CgroupJoinHandles.open([CgroupDirectory(controllers: "", path: c.path)])
        case .systemd(let c): return try CgroupJoinHandles.open([CgroupDirectory(controllers: "", path: c.v2.path)])
        }
    }

    public func place(_ pid: Int32) throws(SyscallError) {
        switch self {
        case .v1(let c): try c.place(pid)
        case .v2(let c): try c.place(pid)
        case .systemd(let c): try c.v2.place(pid)
        }
    }

    public func processes() -> [Int32] {
        switch self {
        case .v1(let c): return c.processes()
        case .v2(let c): return c.processes()
        case .systemd(let c): return c.v2.processes()
        }
    }

    /// Removes the cgroup; for a systemd scope, StopUnit's failure is returned for a warning
    /// (runc's Destroy returns it too), as the unit then stays loaded.
    @discardableResult
    public func remove() -> CgroupError? {
        switch self {
        case .v1(let c): c.remove()
        case .v2(let c): c.remove()
        case .systemd(let c):
            // StopUnit: systemd kills what is left and removes the directory (nothing by hand).
            var failure: CgroupError?
            do throws(CgroupError) { try c.stop() } catch { failure = error }
            if FileIO.exists(c.v2.path) { c.v2.remove() }
            return failure
        }
        return nil
    }

    /// SIGKILLs every process at once through cgroup.kill (v2, or a hybrid host's unified
    /// directory, as runc); false when there is none, so the caller signals one by one.
    public func killAll() throws(SyscallError) -> Bool {
        switch self {
        case .v1(let c):
            guard let unified = c.directories.first(where: { $0.controllers == "" }) else { return false }
            return try CgroupV2(root: unified.path, path: unified.path).killAll()
        case .v2(let c): return try c.killAll()
        case .systemd(let c): return try c.v2.killAll()
        }
    }

    public var canFreeze: Bool {
        switch self {
        case .v1(let c): return c.canFreeze
        case .v2(let c): return c.canFreeze
        case .systemd(let c): return c.v2.canFreeze
        }
    }

    public func setFrozen(_ frozen: Bool) throws(SyscallError) {
        switch self {
        case .v1(let c): try c.setFrozen(frozen)
        case .v2(let c): try c.setFrozen(frozen)
        case .systemd(let c): try c.v2.setFrozen(frozen)
        }
    }

    /// "FROZEN", "FREEZING" or "THAWED"; nil without a freezer.
    public func freezerState() -> String? {
        switch self {
        case .v1(let c): return c.freezerState()
        case .v2(let c): return c.freezerState()
        case .systemd(let c): return c.v2.freezerState()
        }
    }

    public func stats() -> JSONValue {
        switch self {
        case .v1(let c): return c.stats()
        case .v2(let c): return c.stats()
        case .systemd(let c): return c.v2.stats()
        }
    }

    public func oomKills() -> UInt64 {
        switch self {
        case .v1(let c): return c.oomKills()
        case .v2(let c): return c.oomKills()
        case .systemd(let c): return c.v2.oomKills()
        }
    }

    public func memoryLimit() -> UInt64? {
        switch self {
        case .v1(let c): return c.memoryLimit()
        case .v2(let c): return c.memoryLimit()
        case .systemd(let c): return c.v2.memoryLimit()
        }
    }

    /// A descriptor to poll for OOM kills; nil without memory accounting.
    public func oomWatch() -> OOMWatch? {
        switch self {
        case .v1(let c): return c.oomEventFD().map { OOMWatch(fd: $0, events: Int16(POLLIN), memoryEvents: false, seen: 0) }
        case .v2(let c): return c.oomWatch()
        case .systemd(let c): return c.v2.oomWatch()
        }
    }
}

/// Something to poll(2) for the cgroup's OOM kills: wait for `events` on `fd`, then `take()`.
/// v1 gives an eventfd (readable); v2 the open memory.events file, which the kernel marks
/// with POLLPRI each time it changes (its POLLIN is always set, so poll for POLLPRI only).
public struct OOMWatch: Sendable {
    public let fd: Int32
    public let events: Int16
    let memoryEvents: Bool
    var seen: UInt64

    init(fd: Int32, events: Int16, memoryEvents: Bool, seen: UInt64) {
        self.fd = fd
        self.events = events
        self.memoryEvents = memoryEvents
        self.seen = seen
    }

    /// After poll reported `events`: how many OOM kills happened since the last call (v1:
    /// since the last notification). Re-reading memory.events re-arms its POLLPRI.
    public mutating func take() -> UInt64 {
        if !memoryEvents {
            var count: UInt64 = 0
            return read(fd, &count, 8) == 8 ? count : 0
        }
        let now = Self.oomKillCount(fd)
        defer { seen = max(seen, now) }
        return now > seen ? now - seen : 0
    }

    public func close() { _ = Glibc.close(fd) }

    static func oomKillCount(_ fd: Int32) -> UInt64 {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return 0 }
        for line in String(decoding: buf[..<n], as: UTF8.self).split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return UInt64(line.dropFirst(9)) ?? 0
        }
        return 0
    }
}

extension CgroupV2 {
    /// memory.events, open, to poll for POLLPRI (see OOMWatch); nil without the memory controller.
    public func oomWatch() -> OOMWatch? {
        let fd = open(path + "/memory.events", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        return OOMWatch(fd: fd, events: Int16(POLLPRI), memoryEvents: true, seen: OOMWatch.oomKillCount(fd))
    }
}
