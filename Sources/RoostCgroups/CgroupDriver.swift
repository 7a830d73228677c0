import Glibc
import RoostLinux
import RoostSpec

/// What the runtime does with a container's cgroup, whichever driver made it: v1 (`CgroupV1`,
/// one directory per hierarchy on a legacy or hybrid host), v2 (`CgroupV2`, one directory on a
/// unified host) or a systemd scope (`CgroupSystemd`, a v2 directory systemd makes and removes).
/// As crun's cgroup manager table and youki's CgroupManager: the runtime holds an
/// `any CgroupDriver` and never asks which it is. `Cgroup` finds the driver for a host.
public protocol CgroupDriver: Sendable {
    /// The directories to record in the container's state (see `Cgroup.recorded`).
    var directories: [CgroupDirectory] { get }
    /// The cgroup v2 directory, for the v2 driver and a systemd scope; nil on v1.
    var unified: CgroupV2? { get }
    /// Whether the cgroup can exist only around a process: a systemd scope, which systemd makes
    /// with its first process in it (`startScope`) rather than before it, as a directory.
    var madeAroundProcess: Bool { get }

    /// Makes the cgroup before the container's init exists. `resources` lets v2 refuse a
    /// threaded subtree for domain controllers. Nothing for a systemd scope.
    func create(resources: Spec.Resources?) throws(CgroupError)
    /// Makes a cgroup that is `madeAroundProcess` with `pid` in it, with its resources.
    func startScope(pid: Int32, resources: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError)
    /// Writes `linux.resources` (and the device rules `devices` adds) into the cgroup, each
    /// failure naming its JSON path. `devices` nil (an update) leaves the device rules alone
    /// unless `r` has some.
    func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError)
    /// `update`: the new resources (for a systemd scope, also as unit properties).
    func update(_ r: Spec.Resources) throws(CgroupError)
    /// Removes the cgroup; for a systemd scope, StopUnit's failure is returned for a warning
    /// (runc's Destroy returns it too), as the unit then stays loaded.
    @discardableResult func remove() -> CgroupError?

    /// What lets a new process enter this cgroup itself (see CgroupJoinHandles).
    func openJoin() throws(SyscallError) -> CgroupJoinHandles
    /// Moves `pid` into the cgroup.
    func place(_ pid: Int32) throws(SyscallError)
    /// The processes in the cgroup (and in any below it).
    func processes() -> [Int32]
    /// SIGKILLs every process at once through cgroup.kill; false when there is none, so the
    /// caller signals one by one (runc's signalAllProcesses).
    func killAll() throws(SyscallError) -> Bool

    var canFreeze: Bool { get }
    /// Freezes or thaws every process, waiting until the kernel says it is done.
    func setFrozen(_ frozen: Bool) throws(SyscallError)
    /// "FROZEN", "FREEZING" or "THAWED"; nil without a freezer.
    func freezerState() -> String?

    /// runc's `events` statistics (its types.Stats JSON), the same shape from every driver.
    func stats() -> JSONValue
    /// How many processes the cgroup has OOM-killed.
    func oomKills() -> UInt64
    /// The memory limit in bytes, when one is set.
    func memoryLimit() -> UInt64?
    /// A descriptor to poll for OOM kills; nil without memory accounting.
    func oomWatch() -> OOMWatch?
}

extension CgroupDriver {
    public var unified: CgroupV2? { nil }
    public var madeAroundProcess: Bool { false }
    public func startScope(pid: Int32, resources: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {}
    public func update(_ r: Spec.Resources) throws(CgroupError) { try apply(r, devices: nil) }
    public func openJoin() throws(SyscallError) -> CgroupJoinHandles { try CgroupJoinHandles.open(directories) }
}

/// Finding a host's cgroup driver: how the host mounts cgroups, and the driver for a container.
public enum Cgroup {
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
        if FileSystemType.of(mountPoint) == .cgroup2 { return .unified }
        return FileSystemType.of(mountPoint + "/unified") == .cgroup2 ? .hybrid : .legacy
    }

    /// The driver the host calls for, at runc's fs/fs2/systemd paths for `cgroupsPath` (or `id`).
    public static func driver(cgroupsPath: String?, id: String, mode: Mode = host, systemd: Bool = false) throws -> any CgroupDriver {
        if systemd {
            guard mode == .unified else {
                throw CgroupError(path: "linux.cgroupsPath", problem: "the systemd cgroup driver needs a cgroup v2 (unified) host")
            }
            return try CgroupSystemd.paths(cgroupsPath: cgroupsPath, id: id)
        }
        if mode == .unified { return try CgroupV2.paths(cgroupsPath: cgroupsPath, id: id) }
        return try CgroupV1.paths(cgroupsPath: cgroupsPath, id: id)
    }

    /// The driver again from the `directories` a container's state recorded: on a unified host
    /// the one "" directory is a v2 cgroup, and with a systemd unit beside it a systemd scope.
    public static func recorded(_ recorded: [CgroupDirectory], mode: Mode = host) -> any CgroupDriver {
        if mode == .unified, recorded.count == 2, let dir = recorded.first(where: { $0.controllers == "" }),
           let unit = recorded.first(where: { $0.controllers == systemdUnitKey }) {
            return CgroupSystemd(slice: "", unit: unit.path, name: "", v2: CgroupV2(path: dir.path))
        }
        if mode == .unified, recorded.count == 1, recorded[0].controllers == "" {
            return CgroupV2(path: recorded[0].path)
        }
        return CgroupV1(directories: recorded)
    }

    /// Where the state records a systemd scope's unit name, beside its "" directory.
    public static let systemdUnitKey = "systemd-unit"
}
