import Glibc
import RoostLinux
import RoostSpec

extension CgroupV1 {
    /// Writes `linux.resources` into the v1 controllers, each failure naming its JSON path;
    /// each controller's part is in its own file (CgroupV1+Memory.swift, …). `devices` nil (an
    /// update) leaves the device rules alone unless `r` has some.
    public func apply(_ r: Spec.Resources?, devices: [Spec.Device]?) throws(CgroupError) {
        if devices != nil || r?.devices != nil { try setDevices(r?.devices ?? [], devices ?? []) }
        guard let r else { return }
        try setMemory(r)
        try setCPU(r)
        try setCpuset(r)
        try setPids(r)
        try setBlkio(r)
        try setHugetlb(r)
        try setNetwork(r)
        try setRdma(r)
        if let u = r.unified, !u.isEmpty {
            throw CgroupError(path: "linux.resources.unified", problem: "invalid configuration: cannot use unified on cgroup v1 (unified resources need a cgroup v2 host)")
        }
    }

    /// Writes `value` to `file` in `controller`'s directory.
    func write(_ controller: String, _ file: String, _ value: String, _ jsonPath: String) throws(CgroupError) {
        guard let dir = directory(controller) else {
            throw CgroupError(path: jsonPath, problem: "the \(controller) controller is not mounted on this host")
        }
        do { try FileIO.writeExisting(dir + "/" + file, value) } catch {
            throw CgroupError(path: jsonPath, problem: "write \(value.debugDescription) to \(dir)/\(file): \(String(cString: strerror(error.errno)))")
        }
    }
}
