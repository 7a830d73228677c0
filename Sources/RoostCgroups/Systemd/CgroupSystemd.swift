import Glibc
import RoostDBus
import RoostLinux
import RoostSpec

/// runc's systemd cgroup driver (cgroups/systemd, v2 only here): the container's cgroup is a
/// transient scope unit systemd makes, over its D-Bus API, in a slice; roost then reads and
/// writes the scope's directory as any v2 cgroup (`v2`), and stops the unit to remove it.
public struct CgroupSystemd: CgroupDriver, Equatable {
    /// The slice the unit goes in ("system.slice" when linux.cgroupsPath names none).
    public var slice: String
    /// The unit's name: "<prefix>-<name>.scope" (or a "….slice" named outright).
    public var unit: String
    /// The unit's description, as runc words it.
    public var name: String
    /// The unit's cgroup directory.
    public var v2: CgroupV2
    /// Unit properties from the config's `org.systemd.property.*` annotations (see
    /// `annotationProperties`), given to StartTransientUnit before the resources'.
    public var extraProperties: [UnitProperty] = []

    /// One unit property: its name and value, as StartTransientUnit and SetUnitProperties take them.
    public struct UnitProperty: Sendable, Equatable {
        public var name: String
        public var value: DBusValue
        public init(_ name: String, _ value: DBusValue) {
            self.name = name
            self.value = value
        }
    }

    /// runc's default prefix when linux.cgroupsPath is empty (specconv's ScopePrefix): the
    /// unit of container "abc" is runc-abc.scope, where runc would put it.
    public static let defaultPrefix = "runc"

    /// linux.cgroupsPath as runc's systemd driver reads it: "slice:prefix:name" (e.g.
    /// "system.slice:docker:1234" → docker-1234.scope in system.slice); empty: the container's
    /// id with runc's prefix, in system.slice (user.slice when rootless).
    public static func paths(cgroupsPath: String?, id: String, rootless: Bool = false,
                             root: String = CgroupV2.defaultRoot) throws(CgroupError) -> CgroupSystemd {
        var slice = "", prefix = defaultPrefix, name = id
        if let p = cgroupsPath, !p.isEmpty {
            let parts = p.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                throw CgroupError(path: "linux.cgroupsPath", problem: "expected \"slice:prefix:name\" for the systemd cgroup driver, got \"\(p)\"")
            }
            (slice, prefix, name) = (parts[0], parts[1], parts[2])
        }
        if slice.isEmpty { slice = rootless ? "user.slice" : "system.slice" }
        // runc's getUnitName: a scope unless a slice is asked for by name.
        let unit = name.hasSuffix(".slice") ? name : "\(prefix)-\(name).scope"
        guard !unit.contains("/") else {
            throw CgroupError(path: "linux.cgroupsPath", problem: "invalid systemd unit name \"\(unit)\"")
        }
        let parent = try expandSlice(slice)
        let dir = (root == "/" ? "" : root) + (parent == "/" ? "" : parent) + "/" + unit
        return CgroupSystemd(slice: slice, unit: unit, name: name, v2: CgroupV2(root: root, path: dir))
    }

    /// runc's ExpandSlice: systemd nests slices by their dashes, so "a-b-c.slice" lives at
    /// /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root.
    public static func expandSlice(_ slice: String) throws(CgroupError) -> String {
        let bad = CgroupError(path: "linux.cgroupsPath", problem: "invalid slice name: \(slice)")
        guard slice.hasSuffix(".slice"), !slice.contains("/") else { throw bad }
        let base = String(slice.dropLast(".slice".count))
        if base == "-" { return "/" }
        var path = "", prefix = ""
        for component in base.split(separator: "-", omittingEmptySubsequences: false) {
            guard !component.isEmpty else { throw bad }
            path += "/" + prefix + component + ".slice"
            prefix += component + "-"
        }
        guard !path.isEmpty else { throw bad }
        return path
    }
}

extension CgroupSystemd {
    /// Makes the scope with `pid` in it and the resources systemd knows as unit properties,
    /// then writes all of `resources` into the scope's directory as the v2 driver does
    /// (runc's Apply, then Set's fs2 pass).
    /// `systemBus` is where to look for the bus first (systemd's private socket is the fallback).
    public func start(pid: Int32, resources: Spec.Resources?, devices: [Spec.Device]? = nil,
                      systemBus: String = DBusConnection.systemBus) throws(CgroupError) {
        let props = try properties(pid: pid, resources: resources, devices: devices)
        do {
            let m = try SystemdManager(systemBus: systemBus)
            try m.startTransientUnit(unit, properties: props)
        } catch {
            throw CgroupError(path: "linux.cgroupsPath", problem: "systemd: unable to start unit \(unit): \(error)")
        }
        do throws(CgroupError) { try v2.apply(resources, devices: devices) } catch {
            try? stop(systemBus: systemBus)  // started here, so it is this container's to stop
            throw error
        }
    }

    /// `update` (runc's Set): the resources as unit properties, kept by systemd for the
    /// unit's lifetime only (SetUnitProperties with runtime=true), then all of them written into
    /// the scope's directory as the v2 driver does. Device rules do not change on update.
    public func update(_ resources: Spec.Resources, systemBus: String) throws(CgroupError) {
        let props = try Self.resourceProperties(resources)
        if !props.isEmpty {
            do { try SystemdManager(systemBus: systemBus).setUnitProperties(unit, runtime: true, properties: props) } catch {
                throw CgroupError(path: "linux.resources", problem: "systemd: unable to set properties of unit \(unit): \(error)")
            }
        }
        try v2.apply(resources, devices: nil)
    }

    /// Stops the unit; systemd removes its cgroup.
    public func stop(systemBus: String = DBusConnection.systemBus) throws(CgroupError) {
        do { try SystemdManager(systemBus: systemBus).stopUnit(unit) } catch {
            throw CgroupError(path: "linux.cgroupsPath", problem: "systemd: unable to stop unit \(unit): \(error)")
        }
    }
}

/// The driver: systemd makes the scope around init and removes it; everything else is the scope's
/// v2 directory's, as runc's systemd driver delegates to fs2.
extension CgroupSystemd {
    /// The v2 directory, and the unit's name under `Cgroup.systemdUnitKey`.
    public var directories: [CgroupDirectory] {
        [CgroupDirectory(controllers: "", path: v2.path), CgroupDirectory(controllers: Cgroup.systemdUnitKey, path: unit)]
    }
    public var unified: CgroupV2? { v2 }
    public var madeAroundProcess: Bool { true }

    /// Nothing: systemd makes the scope with its first process (`startScope`).
    public func create(resources: Spec.Resources?) throws(CgroupError) {}

    public func startScope(pid: Int32, resources: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        try start(pid: pid, resources: resources, devices: devices)
    }

    public func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) { try v2.apply(r, devices: devices) }

    public func update(_ r: Spec.Resources) throws(CgroupError) { try update(r, systemBus: DBusConnection.systemBus) }

    /// StopUnit: systemd kills what is left and removes the directory (nothing by hand, unless
    /// the directory outlives a failed stop).
    @discardableResult
    public func remove() -> CgroupError? {
        var failure: CgroupError?
        do throws(CgroupError) { try stop() } catch { failure = error }
        if FileIO.exists(v2.path) { v2.remove() }
        return failure
    }

    public func openJoin() throws(SyscallError) -> CgroupJoinHandles { try v2.openJoin() }
    public func place(_ pid: Int32) throws(SyscallError) { try v2.place(pid) }
    public func processes() -> [Int32] { v2.processes() }
    public func killAll() throws(SyscallError) -> Bool { try v2.killAll() }
    public var canFreeze: Bool { v2.canFreeze }
    public func setFrozen(_ frozen: Bool) throws(SyscallError) { try v2.setFrozen(frozen) }
    public func freezerState() -> String? { v2.freezerState() }
    public func stats() -> JSONValue { v2.stats() }
    public func oomKills() -> UInt64 { v2.oomKills() }
    public func memoryLimit() -> UInt64? { v2.memoryLimit() }
    public func oomWatch() -> OOMWatch? { v2.oomWatch() }
}
