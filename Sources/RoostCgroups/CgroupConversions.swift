import Glibc
import RoostSpec

/// runc's conversions of the spec's cgroup v1 values to cgroup v2 ones (cgroups/utils.go).
public enum CgroupConversions {
    /// cpu.shares [2, 262144] (default 1024) → cpu.weight [1, 10000] (default 100): runc's
    /// ConvertCPUSharesToCgroupV2Value, a quadratic in log2(shares) through the two ends and
    /// the default. 0 stays 0 (unset).
    public static func cpuWeight(shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        if shares <= 2 { return 1 }
        if shares >= 262_144 { return 10_000 }
        let l = log2(Double(shares))
        let exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0
        return UInt64(ceil(pow(10, exponent)))
    }

    /// blkio.weight [10, 1000] → io.weight [1, 10000], linearly (ConvertBlkIOToIOWeightValue).
    /// 0 stays 0 (unset).
    public static func ioWeight(blkioWeight: UInt16) -> UInt64 {
        if blkioWeight == 0 { return 0 }
        // runc computes in uint64: a weight below 10 wraps around, and the kernel refuses it.
        return 1 &+ (UInt64(blkioWeight) &- 10) &* 9999 / 990
    }

    /// The spec's memory.swap is memory+swap (v1's memsw); v2's memory.swap.max is swap
    /// alone (ConvertMemorySwapToCgroupV2Value). -1 means unlimited; 0 unset.
    public static func swap(_ swap: Int64, limit: Int64) throws(CgroupError) -> Int64 {
        let p = "linux.resources.memory.swap"
        if limit == -1 && swap == 0 { return -1 }  // unlimited memory: unlimited swap too, as v1
        if swap == -1 || swap == 0 { return swap }
        if limit == -1 { return swap }
        if limit == 0 { throw CgroupError(path: p, problem: "cannot set a swap limit without linux.resources.memory.limit") }
        if limit < 0 { throw CgroupError(path: "linux.resources.memory.limit", problem: "invalid memory limit \(limit)") }
        if swap < limit {
            throw CgroupError(path: p, problem: "memory+swap limit \(swap) is below linux.resources.memory.limit \(limit)")
        }
        return swap - limit
    }

    /// A v2 limit file's text for a spec value (fs2 numToStr): nil for 0 (leave alone), "max"
    /// for -1.
    public static func limitText(_ v: Int64) -> String? {
        switch v {
        case 0: return nil
        case -1: return "max"
        default: return String(v)
        }
    }

    /// memory.swap.max's text, or nil to leave it alone: as limitText, except a swap limit
    /// equal to the memory limit disables swap ("0").
    public static func swapMaxText(swap: Int64?, limit: Int64?) throws(CgroupError) -> String? {
        let s = swap ?? 0
        let v = try Self.swap(s, limit: limit ?? 0)
        if v == 0 && s > 0 { return "0" }
        return limitText(v)
    }

    /// cpu.max: "QUOTA PERIOD", "max PERIOD" for no quota (0 or negative with a period),
    /// the period defaulting to the kernel's 100000; nil when neither is set (fs2/cpu.go).
    public static func cpuMax(quota: Int64?, period: UInt64?) -> String? {
        let q = quota ?? 0
        let p = period ?? 0
        if q == 0 && p == 0 { return nil }
        return (q > 0 ? String(q) : "max") + " " + String(p == 0 ? 100_000 : p)
    }

    /// pids.max: the limit, "max" for a negative one, and "1" for 0, as runc maps it so the
    /// fs and systemd drivers agree (fs2/pids.go).
    public static func pidsMax(_ limit: Int64) -> String {
        limit > 0 ? String(limit) : limit == 0 ? "1" : "max"
    }

    /// The io.max writes, one key per write as runc does (fs2/io.go), in runc's order: all
    /// read bps, write bps, read iops, write iops. Each names its JSON path.
    public static func ioMax(_ b: Spec.BlockIO) -> [(line: String, jsonPath: String)] {
        let p = "linux.resources.blockIO"
        let lists: [(String, [Spec.ThrottleDevice]?, String)] = [
            ("throttleReadBpsDevice", b.throttleReadBpsDevice, "rbps"),
            ("throttleWriteBpsDevice", b.throttleWriteBpsDevice, "wbps"),
            ("throttleReadIOPSDevice", b.throttleReadIOPSDevice, "riops"),
            ("throttleWriteIOPSDevice", b.throttleWriteIOPSDevice, "wiops"),
        ]
        var out: [(line: String, jsonPath: String)] = []
        for (field, list, key) in lists {
            for (i, d) in (list ?? []).enumerated() {
                out.append((line: "\(d.major):\(d.minor) \(key)=\(d.rate)", jsonPath: "\(p).\(field)[\(i)]"))
            }
        }
        return out
    }
}
