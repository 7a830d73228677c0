import Glibc
import RoostSpec

// The cpu and cpuacct controllers on cgroup v1 (runc's fs/cpu.go, cpuacct.go): shares, CFS
// period, quota and burst, real-time period and runtime; usage and throttling statistics.

extension CgroupV1 {
    func setCPU(_ r: Spec.Resources) throws(CgroupError) {
        guard let c = r.cpu else { return }
        let p = "linux.resources.cpu"
        if c.idle != nil { throw CgroupError(path: "\(p).idle", problem: "cpu.idle exists on cgroup v2 only") }
        if let v = c.shares, v != 0 { try write("cpu", "cpu.shares", String(v), "\(p).shares") }
        if let v = c.period, v != 0 { try write("cpu", "cpu.cfs_period_us", String(v), "\(p).period") }
        if let v = c.quota, v != 0 { try write("cpu", "cpu.cfs_quota_us", String(v), "\(p).quota") }
        if let v = c.burst { try write("cpu", "cpu.cfs_burst_us", String(v), "\(p).burst") }
        if let v = c.realtimePeriod, v != 0 { try write("cpu", "cpu.rt_period_us", String(v), "\(p).realtimePeriod") }
        if let v = c.realtimeRuntime, v != 0 { try write("cpu", "cpu.rt_runtime_us", String(v), "\(p).realtimeRuntime") }
    }

    func cpuStats() -> JSONValue? {
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
}
