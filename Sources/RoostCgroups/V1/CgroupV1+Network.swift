import RoostSpec

// The net_cls and net_prio controllers (cgroup v1 only; runc's fs/net_cls.go, net_prio.go):
// linux.resources.network's classID and interface priorities.

extension CgroupV1 {
    func setNetwork(_ r: Spec.Resources) throws(CgroupError) {
        guard let n = r.network else { return }
        if let v = n.classID { try write("net_cls", "net_cls.classid", String(v), "linux.resources.network.classID") }
        for (i, prio) in (n.priorities ?? []).enumerated() {
            try write("net_prio", "net_prio.ifpriomap", "\(prio.name) \(prio.priority)", "linux.resources.network.priorities[\(i)]")
        }
    }
}
