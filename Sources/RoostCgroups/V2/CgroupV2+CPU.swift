import Glibc
import RoostLinux
import RoostSpec

// The cpu controller on cgroup v2 (runc's fs2/cpu.go): cpu.idle, cpu.weight, cpu.max and
// cpu.max.burst from linux.resources.cpu; cpu.stat as runc's cpu statistics.

/// runc's isCpuSet: shares, quota, period, idle or burst.
func isCPUSet(_ r: Spec.Resources) -> Bool {
    guard let c = r.cpu else { return false }
    return CgroupConversions.cpuWeight(shares: c.shares ?? 0) != 0 || (c.quota ?? 0) != 0 || (c.period ?? 0) != 0
        || c.idle != nil || c.burst != nil
}

extension CgroupV2Files {
    func setCPU(_ r: Spec.Resources) throws(CgroupError) {
        guard isCPUSet(r), let c = r.cpu else { return }
        let p = "linux.resources.cpu"
        if let idle = c.idle { try write("cpu.idle", String(idle), "\(p).idle") }
        let weight = CgroupConversions.cpuWeight(shares: c.shares ?? 0)
        if weight != 0 { try write("cpu.weight", String(weight), "\(p).shares") }
        // A burst above what the old quota allows is refused (EINVAL) until the new quota
        // is in: then it is written again after cpu.max, as runc does.
        var burstAfterQuota: String? = nil
        let cpuMax = CgroupConversions.cpuMax(quota: c.quota, period: c.period)
        if let burst = c.burst {
            do { try tryWrite("cpu.max.burst", String(burst)) } catch {
                if error.errno != EINVAL || cpuMax == nil || (c.quota ?? 0) == 0 {
                    throw CgroupError(path: "\(p).burst", problem: problem("cpu.max.burst", String(burst), error))
                }
                burstAfterQuota = String(burst)
            }
        }
        if let cpuMax {
            try write("cpu.max", cpuMax, (c.quota ?? 0) != 0 ? "\(p).quota" : "\(p).period")
            if let burst = burstAfterQuota { try write("cpu.max.burst", burst, "\(p).burst") }
        }
    }

    /// cpu.stat is there even without the cpu controller; its times are in microseconds.
    func cpuStats() -> JSONValue? {
        guard read("cpu.stat") != nil else { return nil }
        let t = Dictionary(table("cpu.stat"), uniquingKeysWith: { a, _ in a })
        return .object([
            (key: "usage", value: .object([
                (key: "total", value: .integer((t["usage_usec"] ?? 0) * 1000)),
                (key: "kernel", value: .integer((t["system_usec"] ?? 0) * 1000)),
                (key: "user", value: .integer((t["user_usec"] ?? 0) * 1000)),
            ])),
            (key: "throttling", value: .object([
                (key: "periods", value: .integer(t["nr_periods"] ?? 0)),
                (key: "throttledPeriods", value: .integer(t["nr_throttled"] ?? 0)),
                (key: "throttledTime", value: .integer((t["throttled_usec"] ?? 0) * 1000)),
            ])),
        ])
    }
}
