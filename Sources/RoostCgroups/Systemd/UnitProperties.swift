import Glibc
import RoostDBus
import RoostLinux
import RoostSpec

/// What the container's config becomes as systemd unit properties (runc's systemd/common.go,
/// v2.go): StartTransientUnit's and SetUnitProperties' arguments.
extension CgroupSystemd {
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
