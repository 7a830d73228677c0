import Glibc
import RoostLinux
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

// Which resources count as set, as fs2's isXSet (0 means unset throughout).
func isMemorySet(_ r: Spec.Resources) -> Bool {
    guard let m = r.memory else { return false }
    return (m.reservation ?? 0) != 0 || (m.limit ?? 0) != 0 || (m.swap ?? 0) != 0
}

func isCPUSet(_ r: Spec.Resources) -> Bool {
    guard let c = r.cpu else { return false }
    return CgroupConversions.cpuWeight(shares: c.shares ?? 0) != 0 || (c.quota ?? 0) != 0 || (c.period ?? 0) != 0
        || c.idle != nil || c.burst != nil
}

func isIOSet(_ r: Spec.Resources) -> Bool {
    guard let b = r.blockIO else { return false }
    return (b.weight ?? 0) != 0 || !(b.weightDevice ?? []).isEmpty || !CgroupConversions.ioMax(b).isEmpty
}

extension CgroupV2 {
    /// Writes `linux.resources` into the cgroup as runc's fs2 driver does, each failure naming
    /// its JSON path. Only what is set is written. `devices` nil (an update) leaves the device
    /// filter alone unless `r` has rules. v1-only settings are ignored as runc ignores them on
    /// v2: memory.swappiness, memory.disableOOMKiller, memory.kernel(TCP), cpu.realtime*,
    /// blockIO.leafWeight, network (classID and priorities).
    public func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        try apply(r, devices: devices, files: HostFiles())
    }

    func apply(_ r: Spec.Resources?, devices: [Spec.Device]?, files: some CgroupFiles) throws(CgroupError) {
        let dir = path
        func write(_ file: String, _ value: String, _ jsonPath: String) throws(CgroupError) {
            do { try files.write(dir + "/" + file, value) } catch {
                throw CgroupError(path: jsonPath, problem: problem(file, value, error, files))
            }
        }

        // runc's order (fs2.go Set): pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, unified.
        if let limit = r?.pids?.limit {
            try write("pids.max", CgroupConversions.pidsMax(limit), "linux.resources.pids.limit")
        }

        if let r, isMemorySet(r), let m = r.memory {
            let p = "linux.resources.memory"
            if m.checkBeforeUpdate == true, let usage = (try? files.read(dir + "/memory.current")).flatMap({ UInt64($0.trimmingWhitespace) }) {
                if let s = m.swap, s > 0, UInt64(s) <= usage {
                    throw CgroupError(path: "\(p).swap", problem: "memory+swap limit \(s) is not above the current usage \(usage)")
                }
                if let l = m.limit, l > 0, UInt64(l) <= usage {
                    throw CgroupError(path: "\(p).limit", problem: "memory limit \(l) is not above the current usage \(usage)")
                }
            }
            if let swap = try CgroupConversions.swapMaxText(swap: m.swap, limit: m.limit) {
                do { try files.write(dir + "/memory.swap.max", swap) } catch {
                    // No swap accounting: unlimited or no swap is what the container gets anyway.
                    if !(error.errno == ENOENT && (swap == "max" || swap == "0")) {
                        throw CgroupError(path: "\(p).swap", problem: problem("memory.swap.max", swap, error, files))
                    }
                }
            }
            if let v = CgroupConversions.limitText(m.limit ?? 0) { try write("memory.max", v, "\(p).limit") }
            if let v = CgroupConversions.limitText(m.reservation ?? 0) { try write("memory.low", v, "\(p).reservation") }
        }

        if let r, isIOSet(r), let b = r.blockIO {
            let p = "linux.resources.blockIO"
            // BFQ's io.bfq.weight takes the v1 weight as is; without BFQ, io.weight gets it converted.
            var bfq: String? = nil
            if (b.weight ?? 0) != 0 || !(b.weightDevice ?? []).isEmpty {
                do { bfq = try files.read(dir + "/io.bfq.weight") } catch {
                    if error.errno != ENOENT { throw CgroupError(path: "\(p).weight", problem: problem("io.bfq.weight", nil, error, files)) }
                }
            }
            if let w = b.weight, w != 0 {
                if bfq != nil {
                    try write("io.bfq.weight", String(w), "\(p).weight")
                } else {
                    try write("io.weight", String(CgroupConversions.ioWeight(blkioWeight: w)), "\(p).weight")
                }
            }
            // Per-device BFQ weights (Linux 5.4) show as lines after "default N"; an older
            // io.bfq.weight holds one number, and runc then skips weightDevice.
            if let bfq, Int64(bfq.trimmingWhitespace) == nil {
                for (i, d) in (b.weightDevice ?? []).enumerated() {
                    try write("io.bfq.weight", "\(d.major):\(d.minor) \(d.weight ?? 0)\n", "\(p).weightDevice[\(i)]")
                }
            }
            for (line, jsonPath) in CgroupConversions.ioMax(b) { try write("io.max", line, jsonPath) }
        }

        if let r, isCPUSet(r), let c = r.cpu {
            let p = "linux.resources.cpu"
            if let idle = c.idle { try write("cpu.idle", String(idle), "\(p).idle") }
            let weight = CgroupConversions.cpuWeight(shares: c.shares ?? 0)
            if weight != 0 { try write("cpu.weight", String(weight), "\(p).shares") }
            // A burst above what the old quota allows is refused (EINVAL) until the new quota
            // is in: then it is written again after cpu.max, as runc does.
            var burstAfterQuota: String? = nil
            let cpuMax = CgroupConversions.cpuMax(quota: c.quota, period: c.period)
            if let burst = c.burst {
                do { try files.write(dir + "/cpu.max.burst", String(burst)) } catch {
                    if error.errno != EINVAL || cpuMax == nil || (c.quota ?? 0) == 0 {
                        throw CgroupError(path: "\(p).burst", problem: problem("cpu.max.burst", String(burst), error, files))
                    }
                    burstAfterQuota = String(burst)
                }
            }
            if let cpuMax {
                try write("cpu.max", cpuMax, (c.quota ?? 0) != 0 ? "\(p).quota" : "\(p).period")
                if let burst = burstAfterQuota { try write("cpu.max.burst", burst, "\(p).burst") }
            }
        }

        if devices != nil || r?.devices != nil {
            let rules = DeviceRule.forContainer(r?.devices ?? [], devices ?? [])
            let program = DeviceFilter.program(try DevicePolicy(rules))
            do { try files.installDeviceFilter(program, on: dir) } catch {
                // runc's canSkipEBPFError: in a user namespace bpf(2) is not ours to call, and
                // a filter of nothing but rwm allows would add nothing.
                let onlyAllows = rules.allSatisfy { $0.allow && DeviceAccess($0.access) == .all }
                if !(runningInUserNamespace() || onlyAllows) {
                    throw CgroupError(path: "linux.resources.devices", problem: "cannot install the cgroup v2 device filter: \(error)")
                }
            }
        }

        if let c = r?.cpu {
            let p = "linux.resources.cpu"
            if let v = c.cpus, !v.isEmpty { try write("cpuset.cpus", v, "\(p).cpus") }
            if let v = c.mems, !v.isEmpty { try write("cpuset.mems", v, "\(p).mems") }
        }

        // hugetlb.<size>.max, and .rsvd.max (Linux 5.7: reservations) while the kernel has it.
        var rsvd = true
        for (i, h) in (r?.hugepageLimits ?? []).enumerated() {
            let p = "linux.resources.hugepageLimits[\(i)]"
            try write("hugetlb.\(h.pageSize).max", String(h.limit), p)
            guard rsvd else { continue }
            do { try files.write(dir + "/hugetlb.\(h.pageSize).rsvd.max", String(h.limit)) } catch {
                if error.errno != ENOENT { throw CgroupError(path: p, problem: problem("hugetlb.\(h.pageSize).rsvd.max", String(h.limit), error, files)) }
                rsvd = false
            }
        }

        if let rdma = r?.rdma {
            for (device, limit) in zip(rdma.keys, rdma.values) {
                var line = device
                if let h = limit.hcaHandles { line += " hca_handle=\(h)" }
                if let o = limit.hcaObjects { line += " hca_object=\(o)" }
                try write("rdma.max", line, "linux.resources.rdma.\(device)")
            }
        }

        if let unified = r?.unified {
            for (key, value) in zip(unified.keys, unified.values) {
                let p = "linux.resources.unified.\(key)"
                if key.contains("/") { throw CgroupError(path: p, problem: "must be a file name (no slashes)") }
                // Several lines go in one write each, as runc's WriteFileByLine.
                var lines: [String] = []
                var rest = Substring(value)
                while let nl = rest.firstIndex(of: "\n") {
                    lines.append(String(rest[...nl]))
                    rest = rest[rest.index(after: nl)...]
                }
                if !rest.isEmpty || lines.isEmpty { lines.append(String(rest)) }
                for line in lines {
                    do { try files.write(dir + "/" + key, line) } catch {
                        if error.errno == EPERM || error.errno == ENOENT {
                            guard let dot = key.firstIndex(of: ".") else {
                                throw CgroupError(path: p, problem: "must be a file name of the form CONTROLLER.PARAMETER")
                            }
                            let controller = String(key[..<dot])
                            let enabled = ((try? files.read(dir + "/cgroup.controllers")) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" })
                            if controller != "cgroup" && !enabled.contains(Substring(controller)) {
                                throw CgroupError(path: p, problem: "cannot be set: the \(controller) controller is not available in \(dir)")
                            }
                        }
                        throw CgroupError(path: p, problem: problem(key, line, error, files))
                    }
                }
            }
        }
    }

    /// One line for a failed write (or read, with no value): the file, the value, the errno,
    /// and for a missing file which controller is absent.
    private func problem(_ file: String, _ value: String?, _ error: SyscallError, _ files: some CgroupFiles) -> String {
        let what = value.map { "write \($0.debugDescription) to \(path)/\(file)" } ?? "read \(path)/\(file)"
        let reason = String(cString: strerror(error.errno))
        if error.errno == ENOENT && file == "memory.swap.max" { return "\(what): \(reason) (this kernel does not account swap)" }
        if error.errno == ENOENT, let dot = file.firstIndex(of: ".") {
            return "\(what): \(reason) (the \(file[..<dot]) controller is not enabled for this cgroup)"
        }
        return "\(what): \(reason)"
    }
}

/// Whether this process is in a user namespace other than the initial one (runc's
/// userns.RunningInUserNS: the initial namespace maps all 2^32-1 ids from 0).
func runningInUserNamespace() -> Bool {
    guard let b = try? FileIO.read("/proc/self/uid_map") else { return false }
    let f = String(decoding: b, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
    return !(f.count == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
}
