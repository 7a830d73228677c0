import RoostSpec

extension CgroupV2 {
    /// Writes `linux.resources` into the cgroup as runc's fs2 driver does, each failure naming
    /// its JSON path; each controller's part is in its own file (Memory.swift, CPU.swift, …).
    /// Only what is set is written. `devices` nil (an update) leaves the device filter alone
    /// unless `r` has rules. v1-only settings are ignored as runc ignores them on v2:
    /// memory.swappiness, memory.disableOOMKiller, memory.kernel(TCP), cpu.realtime*,
    /// blockIO.leafWeight, network (classID and priorities).
    public func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        try apply(r, devices: devices, files: HostFiles())
    }

    func apply(_ r: Spec.Resources?, devices: [Spec.Device]?, files: some CgroupFiles) throws(CgroupError) {
        let d = CgroupV2Files(dir: path, files: files)
        // runc's order (fs2.go Set): pids, memory, io, cpu, devices, cpuset, hugetlb, rdma, unified.
        if let r {
            try d.setPids(r)
            try d.setMemory(r)
            try d.setIO(r)
            try d.setCPU(r)
        }
        if devices != nil || r?.devices != nil { try d.setDevices(r?.devices ?? [], devices ?? []) }
        guard let r else { return }
        try d.setCpuset(r)
        try d.setHugetlb(r)
        try d.setRdma(r)
        try d.setUnified(r)
    }
}
