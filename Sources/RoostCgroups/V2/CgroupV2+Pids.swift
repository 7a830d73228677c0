import RoostSpec

// The pids controller on cgroup v2 (runc's fs2/pids.go): pids.max from
// linux.resources.pids.limit; pids.current as runc's pids statistics.

extension CgroupV2Files {
    func setPids(_ r: Spec.Resources) throws(CgroupError) {
        guard let limit = r.pids?.limit else { return }
        try write("pids.max", CgroupConversions.pidsMax(limit), "linux.resources.pids.limit")
    }

    /// Without the pids controller, cgroup.procs counted (runc's statPidsFromCgroupProcs).
    func pidsStats() -> JSONValue? {
        if let current = number("pids.current") {
            let limit = number("pids.max").map { $0 == UInt64.max ? 0 : $0 } ?? 0
            return .object([(key: "current", value: .integer(current)), (key: "limit", value: .integer(limit))])
        }
        guard let procs = read("cgroup.procs") else { return nil }
        let count = procs.split(separator: "\n").count
        return .object([(key: "current", value: .integer(count)), (key: "limit", value: .integer(0))])
    }
}
