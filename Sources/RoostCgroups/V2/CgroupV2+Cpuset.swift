import RoostSpec

// The cpuset controller on cgroup v2 (runc's fs2/cpuset.go): cpuset.cpus and cpuset.mems
// from linux.resources.cpu.

extension CgroupV2Files {
    func setCpuset(_ r: Spec.Resources) throws(CgroupError) {
        guard let c = r.cpu else { return }
        let p = "linux.resources.cpu"
        if let v = c.cpus, !v.isEmpty { try write("cpuset.cpus", v, "\(p).cpus") }
        if let v = c.mems, !v.isEmpty { try write("cpuset.mems", v, "\(p).mems") }
    }
}
