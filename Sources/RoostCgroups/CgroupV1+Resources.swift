import Glibc
import RoostLinux
import RoostSpec

extension CgroupV1 {
    /// Writes `linux.resources` into the v1 controllers, each failure naming its JSON path.
    /// `devices` nil (an update) leaves the device rules alone unless `r` has some.
    public func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        if devices != nil || r?.devices != nil { try applyDevices(r?.devices ?? [], devices ?? []) }
        guard let r else { return }
        if let m = r.memory {
            let p = "linux.resources.memory"
            if let v = m.limit { try write("memory", "memory.limit_in_bytes", String(v), "\(p).limit") }
            if let v = m.swap {
                guard let dir = directory("memory"), FileIO.exists(dir + "/memory.memsw.limit_in_bytes") else {
                    throw CgroupError(path: "\(p).swap", problem: "this kernel does not account swap (no memory.memsw.limit_in_bytes)")
                }
                try write("memory", "memory.memsw.limit_in_bytes", String(v), "\(p).swap")
            }
            if let v = m.reservation { try write("memory", "memory.soft_limit_in_bytes", String(v), "\(p).reservation") }
            if let v = m.swappiness { try write("memory", "memory.swappiness", String(v), "\(p).swappiness") }
            if m.disableOOMKiller == true { try write("memory", "memory.oom_control", "1", "\(p).disableOOMKiller") }
        }
        if let c = r.cpu {
            let p = "linux.resources.cpu"
            if let v = c.shares, v != 0 { try write("cpu", "cpu.shares", String(v), "\(p).shares") }
            if let v = c.period, v != 0 { try write("cpu", "cpu.cfs_period_us", String(v), "\(p).period") }
            if let v = c.quota, v != 0 { try write("cpu", "cpu.cfs_quota_us", String(v), "\(p).quota") }
            if let v = c.burst { try write("cpu", "cpu.cfs_burst_us", String(v), "\(p).burst") }
            if let v = c.realtimePeriod, v != 0 { try write("cpu", "cpu.rt_period_us", String(v), "\(p).realtimePeriod") }
            if let v = c.realtimeRuntime, v != 0 { try write("cpu", "cpu.rt_runtime_us", String(v), "\(p).realtimeRuntime") }
            if let v = c.cpus, !v.isEmpty { try write("cpuset", "cpuset.cpus", v, "\(p).cpus") }
            if let v = c.mems, !v.isEmpty { try write("cpuset", "cpuset.mems", v, "\(p).mems") }
            if c.idle != nil { throw CgroupError(path: "\(p).idle", problem: "cpu.idle exists on cgroup v2 only") }
        }
        if let v = r.pids?.limit {
            try write("pids", "pids.max", v > 0 ? String(v) : "max", "linux.resources.pids.limit")
        }
        if let b = r.blockIO {
            let p = "linux.resources.blockIO"
            if let v = b.weight, v != 0 { try write("blkio", "blkio.weight", String(v), "\(p).weight") }
            if let v = b.leafWeight, v != 0 { try write("blkio", "blkio.leaf_weight", String(v), "\(p).leafWeight") }
            for (i, d) in (b.weightDevice ?? []).enumerated() {
                if let w = d.weight { try write("blkio", "blkio.weight_device", "\(d.major):\(d.minor) \(w)", "\(p).weightDevice[\(i)]") }
                if let w = d.leafWeight { try write("blkio", "blkio.leaf_weight_device", "\(d.major):\(d.minor) \(w)", "\(p).weightDevice[\(i)]") }
            }
            let throttles: [(String, [Spec.ThrottleDevice]?, String)] = [
                ("throttleReadBpsDevice", b.throttleReadBpsDevice, "blkio.throttle.read_bps_device"),
                ("throttleWriteBpsDevice", b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device"),
                ("throttleReadIOPSDevice", b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device"),
                ("throttleWriteIOPSDevice", b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device"),
            ]
            for (field, list, file) in throttles {
                for (i, d) in (list ?? []).enumerated() {
                    try write("blkio", file, "\(d.major):\(d.minor) \(d.rate)", "\(p).\(field)[\(i)]")
                }
            }
        }
        for (i, h) in (r.hugepageLimits ?? []).enumerated() {
            try write("hugetlb", "hugetlb.\(h.pageSize).limit_in_bytes", String(h.limit), "linux.resources.hugepageLimits[\(i)]")
        }
        if let n = r.network {
            if let v = n.classID { try write("net_cls", "net_cls.classid", String(v), "linux.resources.network.classID") }
            for (i, prio) in (n.priorities ?? []).enumerated() {
                try write("net_prio", "net_prio.ifpriomap", "\(prio.name) \(prio.priority)", "linux.resources.network.priorities[\(i)]")
            }
        }
        if let rdma = r.rdma, !rdma.isEmpty {
            for (device, limit) in rdma {
                var parts: [String] = []
                if let h = limit.hcaHandles { parts.append("hca_handle=\(h)") }
                if let o = limit.hcaObjects { parts.append("hca_object=\(o)") }
                try write("rdma", "rdma.max", "\(device) " + parts.joined(separator: " "), "linux.resources.rdma.\(device)")
            }
        }
        if let u = r.unified, !u.isEmpty {
            throw CgroupError(path: "linux.resources.unified", problem: "unified resources need a cgroup v2 host")
        }
    }

    /// v1 device rules in order (DeviceRule.forContainer): the config's, then runc's defaults;
    /// `a` (all) for a rule without type and numbers.
    private func applyDevices(_ rules: [Spec.DeviceCgroup], _ devices: [Spec.Device]) throws(CgroupError) {
        guard directory("devices") != nil else { return }
        for rule in DeviceRule.forContainer(rules, devices) {
            try write("devices", rule.allow ? "devices.allow" : "devices.deny", rule.v1Text, rule.jsonPath)
        }
    }

    private func write(_ controller: String, _ file: String, _ value: String, _ jsonPath: String) throws(CgroupError) {
        guard let dir = directory(controller) else {
            throw CgroupError(path: jsonPath, problem: "the \(controller) controller is not mounted on this host")
        }
        do { try FileIO.writeExisting(dir + "/" + file, value) } catch {
            throw CgroupError(path: jsonPath, problem: "write \(value.debugDescription) to \(dir)/\(file): \(String(cString: strerror(error.errno)))")
        }
    }
}
