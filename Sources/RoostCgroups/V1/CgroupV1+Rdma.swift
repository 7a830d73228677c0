import RoostSpec

// The rdma controller on cgroup v1 (runc's fs/rdma.go): rdma.max from linux.resources.rdma.

extension CgroupV1 {
    func setRdma(_ r: Spec.Resources) throws(CgroupError) {
        guard let rdma = r.rdma, !rdma.isEmpty else { return }
        for (device, limit) in rdma {
            var parts: [String] = []
            if let h = limit.hcaHandles { parts.append("hca_handle=\(h)") }
            if let o = limit.hcaObjects { parts.append("hca_object=\(o)") }
            try write("rdma", "rdma.max", "\(device) " + parts.joined(separator: " "), "linux.resources.rdma.\(device)")
        }
    }
}
