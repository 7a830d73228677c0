import Glibc
import RoostLinux
import RoostSpec

// The hugetlb controller on cgroup v1 (runc's fs/hugetlb.go): a limit per page size and the
// usage, maximum and failures per page size.

extension CgroupV1 {
    func setHugetlb(_ r: Spec.Resources) throws(CgroupError) {
        for (i, h) in (r.hugepageLimits ?? []).enumerated() {
            try write("hugetlb", "hugetlb.\(h.pageSize).limit_in_bytes", String(h.limit), "linux.resources.hugepageLimits[\(i)]")
        }
    }

    func hugetlbStats() -> JSONValue? {
        guard let dir = directory("hugetlb"), let names = FileIO.entries(dir)?.map(\.name) else { return nil }
        let sizes = names.filter { $0.hasPrefix("hugetlb.") && $0.hasSuffix(".usage_in_bytes") }.map { String($0.dropFirst(8).dropLast(15)) }
        return .object(sizes.sorted().map { size in
            (key: size, value: .object([
                (key: "usage", value: .integer(number(dir, "hugetlb.\(size).usage_in_bytes"))),
                (key: "max", value: .integer(number(dir, "hugetlb.\(size).max_usage_in_bytes"))),
                (key: "failcnt", value: .integer(number(dir, "hugetlb.\(size).failcnt"))),
            ]))
        })
    }
}
