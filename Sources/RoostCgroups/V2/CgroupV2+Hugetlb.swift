import Glibc
import RoostSpec

// The hugetlb controller on cgroup v2 (runc's fs2/hugetlb.go): hugetlb.<size>.max and
// .rsvd.max from linux.resources.hugepageLimits; usage and failures per page size.

extension CgroupV2Files {
    /// hugetlb.<size>.max, and .rsvd.max (Linux 5.7: reservations) while the kernel has it.
    func setHugetlb(_ r: Spec.Resources) throws(CgroupError) {
        var rsvd = true
        for (i, h) in (r.hugepageLimits ?? []).enumerated() {
            let p = "linux.resources.hugepageLimits[\(i)]"
            try write("hugetlb.\(h.pageSize).max", String(h.limit), p)
            guard rsvd else { continue }
            do { try tryWrite("hugetlb.\(h.pageSize).rsvd.max", String(h.limit)) } catch {
                if error.errno != ENOENT { throw CgroupError(path: p, problem: problem("hugetlb.\(h.pageSize).rsvd.max", String(h.limit), error)) }
                rsvd = false
            }
        }
    }

    /// hugetlb.<size>.current (or .rsvd.current, which counts reservations too, when there);
    /// failures are the "max" count in hugetlb.<size>.events. v2 keeps no maximum usage.
    func hugetlbStats() -> JSONValue? {
        let sizes = files.list(dir).compactMap { name -> String? in
            guard name.hasPrefix("hugetlb."), name.hasSuffix(".current"), !name.hasSuffix(".rsvd.current") else { return nil }
            return String(name.dropFirst(8).dropLast(8))
        }.sorted()
        guard !sizes.isEmpty else { return nil }
        return .object(sizes.map { size in
            let usage = number("hugetlb.\(size).rsvd.current") ?? number("hugetlb.\(size).current") ?? 0
            let failcnt = table("hugetlb.\(size).events").first { $0.0 == "max" }?.1 ?? 0
            return (key: size, value: .object([
                (key: "usage", value: .integer(usage)), (key: "max", value: .integer(0)), (key: "failcnt", value: .integer(failcnt)),
            ]))
        })
    }
}
