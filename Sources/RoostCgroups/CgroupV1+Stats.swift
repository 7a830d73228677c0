import CRoostShim
import Glibc
import RoostLinux
import RoostSpec

/// runc's `events` statistics (its types.Stats JSON) read from the v1 controllers.
extension CgroupV1 {
    public func stats() -> JSONValue {
        var data: [(key: String, value: JSONValue)] = []
        if let cpu = cpuStats() { data.append((key: "cpu", value: cpu)) }
        if let memory = memoryStats() { data.append((key: "memory", value: memory)) }
        if let pids = directory("pids") {
            let limit = read(pids, "pids.max").flatMap { $0 == "max" ? 0 : UInt64($0) } ?? 0
            data.append((key: "pids", value: .object([
                (key: "current", value: .integer(number(pids, "pids.current"))), (key: "limit", value: .integer(limit)),
            ])))
        }
        if let blkio = blkioStats() { data.append((key: "blkio", value: blkio)) }
        if let hugetlb = hugetlbStats() { data.append((key: "hugetlb", value: hugetlb)) }
        return .object(data)
    }

    private func read(_ dir: String, _ file: String) -> String? {
        (try? FileIO.read(dir + "/" + file)).map { String(decoding: $0, as: UTF8.self).trimmingNewlines }
    }

    private func number(_ dir: String, _ file: String) -> UInt64 { read(dir, file).flatMap { UInt64($0) } ?? 0 }

    /// `key value` lines (memory.stat, cpu.stat, cpuacct.stat).
    private func table(_ dir: String, _ file: String) -> [(String, UInt64)] {
        (read(dir, file) ?? "").fields("\n").compactMap { line in
            let f = line.fields(" ")
            return f.count == 2 ? UInt64(f[1]).map { (String(f[0]), $0) } : nil
        }
    }

    private func cpuStats() -> JSONValue? {
        guard let acct = directory("cpuacct") else { return nil }
        let percpu = (read(acct, "cpuacct.usage_percpu") ?? "").fields(" ").compactMap { UInt64($0) }
        // cpuacct.stat counts clock ticks; runc reports nanoseconds.
        let tick = UInt64(1_000_000_000) / UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        let stat = Dictionary(table(acct, "cpuacct.stat"), uniquingKeysWith: { a, _ in a })
        var usage: [(key: String, value: JSONValue)] = [
            (key: "total", value: .integer(number(acct, "cpuacct.usage"))),
            (key: "percpu", value: .array(percpu.map { .integer($0) })),
            (key: "kernel", value: .integer((stat["system"] ?? 0) * tick)),
            (key: "user", value: .integer((stat["user"] ?? 0) * tick)),
        ]
        if percpu.isEmpty { usage.remove(at: 1) }
        var fields: [(key: String, value: JSONValue)] = [(key: "usage", value: .object(usage))]
        if let cpu = directory("cpu") {
            let t = Dictionary(table(cpu, "cpu.stat"), uniquingKeysWith: { a, _ in a })
            fields.append((key: "throttling", value: .object([
                (key: "periods", value: .integer(t["nr_periods"] ?? 0)),
                (key: "throttledPeriods", value: .integer(t["nr_throttled"] ?? 0)),
                (key: "throttledTime", value: .integer(t["throttled_time"] ?? 0)),
            ])))
        }
        return .object(fields)
    }

    private func memoryStats() -> JSONValue? {
        guard let mem = directory("memory") else { return nil }
        func entry(_ prefix: String) -> JSONValue {
            .object([
                (key: "usage", value: .integer(number(mem, prefix + "usage_in_bytes"))),
                (key: "max", value: .integer(number(mem, prefix + "max_usage_in_bytes"))),
                (key: "failcnt", value: .integer(number(mem, prefix + "failcnt"))),
                (key: "limit", value: .integer(number(mem, prefix + "limit_in_bytes"))),
            ])
        }
        let raw = table(mem, "memory.stat")
        var fields: [(key: String, value: JSONValue)] = [
            (key: "cache", value: .integer(raw.first { $0.0 == "cache" }?.1 ?? 0)),
            (key: "usage", value: entry("memory.")),
        ]
        if FileIO.exists(mem + "/memory.memsw.usage_in_bytes") { fields.append((key: "swap", value: entry("memory.memsw."))) }
        fields.append((key: "raw", value: .object(raw.map { (key: $0.0, value: .integer($0.1)) })))
        return .object(fields)
    }

    private func blkioStats() -> JSONValue? {
        guard let blkio = directory("blkio") else { return nil }
        func entries(_ file: String) -> JSONValue {
            .array((read(blkio, file) ?? "").fields("\n").compactMap { line in
                let f = line.fields(" ")
                guard f.count == 3, let value = UInt64(f[2]) else { return nil }
                let mm = f[0].fields(":")
                guard mm.count == 2, let major = UInt64(mm[0]), let minor = UInt64(mm[1]) else { return nil }
                return .object([
                    (key: "major", value: .integer(major)), (key: "minor", value: .integer(minor)),
                    (key: "op", value: .string(String(f[1]))), (key: "value", value: .integer(value)),
                ])
            })
        }
        return .object([
            (key: "ioServiceBytesRecursive", value: entries("blkio.throttle.io_service_bytes")),
            (key: "ioServicedRecursive", value: entries("blkio.throttle.io_serviced")),
        ])
    }

    private func hugetlbStats() -> JSONValue? {
        guard let dir = directory("hugetlb"), let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var sizes: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("hugetlb.") && name.hasSuffix(".usage_in_bytes") {
                sizes.append(String(name.dropFirst(8).dropLast(15)))
            }
        }
        return .object(sizes.sorted().map { size in
            (key: size, value: .object([
                (key: "usage", value: .integer(number(dir, "hugetlb.\(size).usage_in_bytes"))),
                (key: "max", value: .integer(number(dir, "hugetlb.\(size).max_usage_in_bytes"))),
                (key: "failcnt", value: .integer(number(dir, "hugetlb.\(size).failcnt"))),
            ]))
        })
    }

    /// How many processes the memory cgroup has OOM-killed (memory.oom_control's oom_kill).
    public func oomKills() -> UInt64 {
        guard let mem = directory("memory") else { return 0 }
        return table(mem, "memory.oom_control").first { $0.0 == "oom_kill" }?.1 ?? 0
    }

    /// The memory limit in bytes, when one is set.
    public func memoryLimit() -> UInt64? {
        guard let mem = directory("memory"), let v = read(mem, "memory.limit_in_bytes").flatMap({ UInt64($0) }), v < (1 << 62) else { return nil }
        return v
    }

    /// An eventfd that becomes readable each time the memory cgroup OOM-kills (v1
    /// cgroup.event_control on memory.oom_control); nil without a memory hierarchy.
    public func oomEventFD() -> Int32? {
        guard let mem = directory("memory") else { return nil }
        let efd = roost_eventfd()
        guard efd >= 0 else { return nil }
        let control = open(mem + "/memory.oom_control", O_RDONLY | O_CLOEXEC)
        guard control >= 0 else { close(efd); return nil }
        defer { close(control) }
        do { try FileIO.writeExisting(mem + "/cgroup.event_control", "\(efd) \(control)") } catch {
            close(efd)
            return nil
        }
        return efd
    }
}
