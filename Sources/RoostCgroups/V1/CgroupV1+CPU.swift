import Glibc
import RoostLinux
import RoostSpec

// The cpu and cpuacct controllers on cgroup v1 (runc's fs/cpu.go, cpuacct.go): shares, CFS
// period, quota and burst, real-time period and runtime; usage and throttling statistics.

extension CgroupV1 {
    /// runc's order (fs/cpu.go): the kernel checks period, quota and burst against each other
    /// and against the parent's limit, so a period or burst it refuses (EINVAL) while a quota
    /// comes too is written again after the quota; the real-time pair likewise.
    func setCPU(_ r: Spec.Resources) throws(CgroupError) {
        guard let c = r.cpu else { return }
        let p = "linux.resources.cpu"
        if let v = c.shares, v != 0 { try write("cpu", "cpu.shares", String(v), "\(p).shares") }
        let quota = c.quota ?? 0
        var periodAgain: String?
        if let v = c.period, v != 0 {
            periodAgain = try writeOrRetry("cpu.cfs_period_us", String(v), "\(p).period", retry: quota != 0)
        }
        var burstAgain: String?
        if let v = c.burst {
            // A kernel without the burst knob: nothing to set (runc ignores it).
            burstAgain = try writeOrRetry("cpu.cfs_burst_us", String(v), "\(p).burst", retry: quota != 0, ignoreMissing: true)
        }
        if quota != 0 {
            try write("cpu", "cpu.cfs_quota_us", String(quota), "\(p).quota")
            if let v = periodAgain { try write("cpu", "cpu.cfs_period_us", v, "\(p).period") }
            if let v = burstAgain { try write("cpu", "cpu.cfs_burst_us", v, "\(p).burst") }
        }
        // runc 1.5 writes cpu.idle on v1 too, where the kernel has it (Linux 5.15).
        if let v = c.idle { try write("cpu", "cpu.idle", String(v), "\(p).idle") }
        let runtime = c.realtimeRuntime ?? 0
        var rtPeriodAgain: String?
        if let v = c.realtimePeriod, v != 0 {
            rtPeriodAgain = try writeOrRetry("cpu.rt_period_us", String(v), "\(p).realtimePeriod", retry: runtime != 0)
        }
        if runtime != 0 {
            try write("cpu", "cpu.rt_runtime_us", String(runtime), "\(p).realtimeRuntime")
            if let v = rtPeriodAgain { try write("cpu", "cpu.rt_period_us", v, "\(p).realtimePeriod") }
        }
    }

    /// Writes a cpu file; with `retry`, an EINVAL is put off (the value is returned, to be
    /// written again once its partner is in) rather than an error.
    private func writeOrRetry(_ file: String, _ value: String, _ jsonPath: String, retry: Bool, ignoreMissing: Bool = false) throws(CgroupError) -> String? {
        guard let dir = directory("cpu") else {
            throw CgroupError(path: jsonPath, problem: "the cpu controller is not mounted on this host")
        }
        do { try FileIO.writeExisting(dir + "/" + file, value) } catch {
            if ignoreMissing && error.errno == ENOENT { return nil }
            if retry && error.errno == EINVAL { return value }
            throw CgroupError(path: jsonPath, problem: "write \(value.debugDescription) to \(dir)/\(file): \(String(cString: strerror(error.errno)))")
        }
        return nil
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
