import RoostSpec

// The cpuset controller on cgroup v1 (runc's fs/cpuset.go): cpuset.cpus and cpuset.mems from
// linux.resources.cpu. (A new cpuset directory's inherited values are CgroupV1.create's.)

extension CgroupV1 {
    func setCpuset(_ r: Spec.Resources) throws(CgroupError) {
        guard let c = r.cpu else { return }
        let p = "linux.resources.cpu"
        if let v = c.cpus, !v.isEmpty { try write("cpuset", "cpuset.cpus", v, "\(p).cpus") }
        if let v = c.mems, !v.isEmpty { try write("cpuset", "cpuset.mems", v, "\(p).mems") }
    }
}
