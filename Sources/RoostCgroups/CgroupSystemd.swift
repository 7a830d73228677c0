import Glibc
import RoostDBus
import RoostLinux
import RoostSpec

/// runc's systemd cgroup driver (cgroups/systemd, v2 only here): the container's cgroup is a
/// transient scope unit systemd makes, over its D-Bus API, in a slice; roost then reads and
/// writes the scope's directory as any v2 cgroup (`v2`), and stops the unit to remove it.
public struct CgroupSystemd: Sendable, Equatable {
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

    /// runc's RangeToBits: a cpuset list ("0-2,7") as the little-endian bitmask systemd's
    /// AllowedCPUs/AllowedMemoryNodes take (byte 0 holds CPUs 0–7).
    public static func rangeToBits(_ list: String) throws(CgroupError) -> [UInt8] {
        let ranges: [ClosedRange<Int>]
        do { ranges = try CPUList(parsing: list).ranges } catch {
            throw CgroupError(path: "linux.resources.cpu", problem: "\"\(list)\": \(error)")
        }
        var bits: [UInt8] = []
        for r in ranges {
            for i in r {
                while bits.count <= i / 8 { bits.append(0) }
                bits[i / 8] |= 1 << UInt8(i % 8)
            }
        }
        return bits
    }

    /// The unit's properties for StartTransientUnit: runc's Apply (description, slice,
    /// Delegate, PIDs, accounting, no default dependencies, the annotations' properties), then
    /// what runc's Set gives SetUnitProperties right after: the device rules and the resources
    /// (genV2ResourcesProperties; systemd ≥ 244 assumed: bookworm has 252). Given at the start,
    /// the limits hold from the moment systemd moves the process in; later properties of the
    /// same name win, so the resources override an annotation as they do in runc.
    public func properties(pid: Int32?, resources r: Spec.Resources?, devices: [Spec.Device]? = nil) throws(CgroupError) -> [(String, DBusValue)] {
        var p: [(String, DBusValue)] = [("Description", .string("libcontainer container \(name)"))]
        if unit.hasSuffix(".slice") {
            p.append(("Wants", .array(element: "s", [.string(slice)])))
        } else {
            p.append(("Slice", .string(slice)))
            p.append(("Delegate", .bool(true)))
        }
        if let pid { p.append(("PIDs", .array(element: "u", [.uint32(UInt32(bitPattern: pid))]))) }
        for a in ["MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"] { p.append((a, .bool(true))) }
        p.append(("DefaultDependencies", .bool(false)))
        p += extraProperties.map { ($0.name, $0.value) }
        p += try Self.deviceProperties(r, devices: devices)
        return p + (try Self.resourceProperties(r))
    }

    /// runc's device properties for systemd (devices/systemd.go), from the same rules the v2
    /// driver compiles to eBPF (DeviceRules.forContainer: the config's, then runc's defaults):
    /// an empty DeviceAllow first (it clears an existing list), DevicePolicy=strict, then one
    /// DeviceAllow entry per allowed (type, major, minor): /dev/char/M:m for a device,
    /// char-M for a whole major (systemd ≥ 240), char-* for all. systemd cannot deny: an
    /// allow-all policy with no exceptions is DevicePolicy=auto; with deny exceptions it stays
    /// strict with nothing allowed, as runc's, and roost's own eBPF program (written after, as
    /// runc's fs2 pass does) cannot widen that. A "*:m" rule has no systemd form and is left
    /// to the eBPF program, as runc does.
    public static func deviceProperties(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) -> [(String, DBusValue)] {
        let policy = try DevicePolicy(DeviceRule.forContainer(r?.devices ?? [], devices ?? []))
        let none: DBusValue = .array(element: "(ss)", [])
        if policy.defaultAllow {
            if policy.exceptions.isEmpty { return [("DeviceAllow", none), ("DevicePolicy", .string("auto"))] }
            return [("DeviceAllow", none), ("DevicePolicy", .string("strict"))]
        }
        var allow: [DBusValue] = []
        for (m, access) in policy.sortedExceptions {
            let group = m.type == "b" ? "block" : "char"
            let path: String
            switch (m.major < 0, m.minor < 0) {
            case (true, true): path = group + "-*"
            case (true, false): continue
            case (false, true): path = group + "-\(m.major)"
            case (false, false): path = "/dev/\(group)/\(m.major):\(m.minor)"
            }
            allow.append(.structure([.string(path), .string(access.text)]))
        }
        return [("DeviceAllow", none), ("DevicePolicy", .string("strict")), ("DeviceAllow", .array(element: "(ss)", allow))]
    }

    /// runc's initSystemdProps: each `org.systemd.property.NAME` annotation is the unit property
    /// NAME (letters only, at least three) with its value in GVariant's text format; a NAME that
    /// ends in a lowercase letter then "Sec" (TimeoutStopSec) is a number of seconds that systemd
    /// takes as NAME-without-Sec + "USec", in microseconds. Only the systemd driver reads them.
    /// In the config's order.
    public static func annotationProperties(_ annotations: [(String, String)]) throws(CgroupError) -> [UnitProperty] {
        let prefix = "org.systemd.property."
        var out: [UnitProperty] = []
        for (key, text) in annotations where key.hasPrefix(prefix) {
            let where_ = "annotations[\"\(key)\"]"
            var name = String(key.dropFirst(prefix.count))
            guard name.count >= 3, name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) }) else {
                throw CgroupError(path: where_, problem: "\"\(name)\" is not a systemd property name (letters only, at least three)")
            }
            var value: DBusValue
            do { value = try GVariantText.parse(text) } catch {
                throw CgroupError(path: where_, problem: "value \"\(text)\": \(error)")
            }
            if name.hasSuffix("Sec"), let last = name.dropLast(3).last, last.isLowercase, last.isASCII {
                name = name.dropLast(3) + "USec"
                let m = 1_000_000.0
                let seconds: Double
                switch value {
                case .byte(let v): seconds = Double(v)
                case .int16(let v): seconds = Double(v)
                case .uint16(let v): seconds = Double(v)
                case .int32(let v): seconds = Double(v)
                case .uint32(let v): seconds = Double(v)
                case .int64(let v): seconds = Double(v)
                case .uint64(let v): seconds = Double(v)
                case .double(let v): seconds = v
                default: throw CgroupError(path: where_, problem: "value \"\(text)\": a number of seconds is expected for \(key.dropFirst(prefix.count))")
                }
                let range = CgroupError(path: where_, problem: "value \"\(text)\": out of range for microseconds")
                guard seconds >= 0, seconds * m < 18_446_744_073_709_551_615.0 else { throw range }
                // Integers stay exact (runc multiplies in integers); a double is truncated to µs.
                if case .double = value {
                    value = .uint64(UInt64(seconds * m))
                } else {
                    let (us, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000)
                    guard !overflow else { throw range }
                    value = .uint64(us)
                }
            }
            out.append(UnitProperty(name, value))
        }
        return out
    }

    static func resourceProperties(_ r: Spec.Resources?) throws(CgroupError) -> [(String, DBusValue)] {
        guard let r else { return [] }
        var p: [(String, DBusValue)] = []
        let max = UInt64.max  // systemd's "infinity"
        if let m = r.memory {
            if let l = m.limit, l != 0 { p.append(("MemoryMax", .uint64(l < 0 ? max : UInt64(l)))) }
            if let l = m.reservation, l != 0 { p.append(("MemoryLow", .uint64(l < 0 ? max : UInt64(l)))) }
            let swap = try CgroupConversions.swap(m.swap ?? 0, limit: m.limit ?? 0)
            if swap != 0 { p.append(("MemorySwapMax", .uint64(swap < 0 ? max : UInt64(swap)))) }
        }
        if let c = r.cpu {
            let idle = c.idle == 1
            if idle { p.append(("CPUWeight", .uint64(0))) }
            let weight = CgroupConversions.cpuWeight(shares: c.shares ?? 0)
            if weight != 0 && !idle { p.append(("CPUWeight", .uint64(weight))) }
            p += try cpuQuota(quota: c.quota ?? 0, period: c.period ?? 0)
            if let cpus = c.cpus, !cpus.isEmpty { p.append(("AllowedCPUs", .array(element: "y", try rangeToBits(cpus).map { .byte($0) }))) }
            if let mems = c.mems, !mems.isEmpty { p.append(("AllowedMemoryNodes", .array(element: "y", try rangeToBits(mems).map { .byte($0) }))) }
        }
        if let limit = r.pids?.limit {
            // systemd refuses TasksMax=0; runc asks for 1.
            p.append(("TasksMax", .uint64(limit < 0 ? max : limit == 0 ? 1 : UInt64(limit))))
        }
        return p
    }

    /// runc's addCPUQuota: CPUQuotaPerSecUSec is µs of CPU per second, which systemd keeps as
    /// a whole percentage, so it rounds up to 10 ms; a period alone means no quota (infinity).
    static func cpuQuota(quota: Int64, period: UInt64) throws(CgroupError) -> [(String, DBusValue)] {
        var p: [(String, DBusValue)] = []
        if period != 0 { p.append(("CPUQuotaPeriodUSec", .uint64(period))) }
        if quota != 0 || period != 0 {
            var perSec = UInt64.max
            if quota > 0 {
                let (us, overflow) = UInt64(quota).multipliedReportingOverflow(by: 1_000_000)
                if overflow { throw CgroupError(path: "linux.resources.cpu.quota", problem: "\(quota) µs is more than the kernel can hold") }
                perSec = us / (period == 0 ? 100_000 : period)
                if perSec % 10_000 != 0 { perSec = (perSec / 10_000 + 1) * 10_000 }
            }
            p.append(("CPUQuotaPerSecUSec", .uint64(perSec)))
        }
        return p
    }
}

/// systemd's manager over D-Bus: the system bus, else (as root) systemd's private socket, as
/// go-systemd's NewWithContext.
public final class SystemdManager {
    let bus: DBusConnection
    let direct: Bool
    /// systemd's unique name on the bus; nil on its private socket, where only systemd talks.
    private(set) var systemdName: String?

    static let destination = "org.freedesktop.systemd1"
    static let object = "/org/freedesktop/systemd1"
    static let manager = "org.freedesktop.systemd1.Manager"

    public init(systemBus: String = DBusConnection.systemBus, privateSocket: String = DBusConnection.systemdPrivate) throws(DBusError) {
        do {
            bus = try DBusConnection(path: systemBus)
            direct = false
        } catch {
            guard getuid() == 0 else { throw error }
            do { bus = try DBusConnection(path: privateSocket, hello: false) } catch {
                throw DBusError(name: error.name, message: "cannot reach systemd at \(systemBus) or \(privateSocket): \(error.message)")
            }
            direct = true
        }
        if !direct {
            // JobRemoved reaches the client that queued the job; the match lets the bus pass it on,
            // from systemd only. The bus stamps each message with its sender's unique name, so
            // checking that name too keeps another client's forged signal from ending a wait.
            try bus.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                     interface: "org.freedesktop.DBus", member: "AddMatch",
                                     body: [.string("type='signal',sender='\(Self.destination)',path='\(Self.object)',interface='\(Self.manager)',member='JobRemoved'")]))
            let owner = try bus.call(.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                                 interface: "org.freedesktop.DBus", member: "GetNameOwner",
                                                 body: [.string(Self.destination)]))
            systemdName = owner.body.first?.stringValue
        }
    }

    func call(_ member: String, _ body: [DBusValue]) throws(DBusError) -> DBusMessage {
        try bus.call(.methodCall(destination: direct ? nil : Self.destination, path: Self.object,
                                 interface: Self.manager, member: member, body: body))
    }

    /// Waits for the job's JobRemoved signal; its result ("done", "failed", "canceled", …).
    func wait(job: String) throws(DBusError) -> String {
        let s = try bus.waitForSignal { m in
            m.member == "JobRemoved" && m.interface == Self.manager && m.path == Self.object && (systemdName == nil || m.sender == systemdName)
                && m.body.count == 4 && m.body[1].stringValue == job
        }
        return s.body[3].stringValue ?? ""
    }

    /// StartTransientUnit(name, "replace", properties, no aux units) and waits for its job, as
    /// runc's startUnit: a leftover unit of that name (UnitExists) is reset once and retried; a
    /// job that does not end "done" resets the unit and fails.
    public func startTransientUnit(_ unit: String, properties: [(String, DBusValue)]) throws(DBusError) {
        var reply: DBusMessage
        let body: [DBusValue] = [.string(unit), .string("replace"), .properties(properties), .array(element: "(sa(sv))", [])]
        do {
            reply = try call("StartTransientUnit", body)
        } catch where error.name == "org.freedesktop.systemd1.UnitExists" {
            try? resetFailedUnit(unit)
            reply = try call("StartTransientUnit", body)
        }
        let job = reply.body.first?.stringValue ?? ""
        let result = try wait(job: job)
        guard result == "done" else {
            try? resetFailedUnit(unit)
            throw DBusError(name: "roost.systemd.JobFailed", message: "error creating systemd unit `\(unit)`: got `\(result)`")
        }
    }

    /// StopUnit(name, "replace"), waiting for its job, then ResetFailedUnit so systemd forgets a
    /// failed unit (runc's stopUnit). A unit that is not loaded is already stopped.
    public func stopUnit(_ unit: String) throws(DBusError) {
        do {
            let reply = try call("StopUnit", [.string(unit), .string("replace")])
            _ = try wait(job: reply.body.first?.stringValue ?? "")
        } catch where error.name == "org.freedesktop.systemd1.NoSuchUnit" {}
        try? resetFailedUnit(unit)
    }

    /// SetUnitProperties(name, runtime, properties): no job, the reply says it is done.
    public func setUnitProperties(_ unit: String, runtime: Bool, properties: [(String, DBusValue)]) throws(DBusError) {
        _ = try call("SetUnitProperties", [.string(unit), .bool(runtime), .properties(properties)])
    }

    public func resetFailedUnit(_ unit: String) throws(DBusError) {
        _ = try call("ResetFailedUnit", [.string(unit)])
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
    public func update(_ resources: Spec.Resources, systemBus: String = DBusConnection.systemBus) throws(CgroupError) {
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
