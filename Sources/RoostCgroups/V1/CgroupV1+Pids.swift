import RoostSpec

// The pids controller on cgroup v1 (runc's fs/pids.go): pids.max and its statistics.

extension CgroupV1 {
    func setPids(_ r: Spec.Resources) throws(CgroupError) {
        guard let v = r.pids?.limit else { return }
        try write("pids", "pids.max", v > 0 ? String(v) : "max", "linux.resources.pids.limit")
    }

    func pidsStats() -> JSONValue? {
        guard let pids = directory("pids") else { return nil }
        let limit = read(pids, "pids.max").flatMap { $0 == "max" ? 0 : UInt64($0) } ?? 0
        return .object([(key: "current", value: .integer(number(pids, "pids.current"))), (key: "limit", value: .integer(limit))])
    }
}
