import RoostSpec

// The rdma controller on cgroup v2 (runc's fs2/rdma.go): rdma.max from linux.resources.rdma.

extension CgroupV2Files {
    func setRdma(_ r: Spec.Resources) throws(CgroupError) {
        guard let rdma = r.rdma else { return }
        for (device, limit) in zip(rdma.keys, rdma.values) {
            var line = device
            if let h = limit.hcaHandles { line += " hca_handle=\(h)" }
            if let o = limit.hcaObjects { line += " hca_object=\(o)" }
            try write("rdma.max", line, "linux.resources.rdma.\(device)")
        }
    }
}
