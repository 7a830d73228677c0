import Glibc
import RoostLinux
import RoostSpec

// The io controller on cgroup v2 (runc's fs2/io.go): io.weight or BFQ's io.bfq.weight, and
// io.max, from linux.resources.blockIO; io.stat as v1's blkio statistics.

/// runc's isIoSet: a weight, a device weight or a throttle.
func isIOSet(_ r: Spec.Resources) -> Bool {
    guard let b = r.blockIO else { return false }
    return (b.weight ?? 0) != 0 || !(b.weightDevice ?? []).isEmpty || !CgroupConversions.ioMax(b).isEmpty
}

extension CgroupV2Files {
    func setIO(_ r: Spec.Resources) throws(CgroupError) {
        guard isIOSet(r), let b = r.blockIO else { return }
        let p = "linux.resources.blockIO"
        // BFQ's io.bfq.weight takes the v1 weight as is; without BFQ, io.weight gets it converted.
        var bfq: String? = nil
        if (b.weight ?? 0) != 0 || !(b.weightDevice ?? []).isEmpty {
            do { bfq = try readFile("io.bfq.weight") } catch {
                if error.errno != ENOENT { throw CgroupError(path: "\(p).weight", problem: problem("io.bfq.weight", nil, error)) }
            }
        }
        if let w = b.weight, w != 0 {
            if bfq != nil {
                try write("io.bfq.weight", String(w), "\(p).weight")
            } else {
                try write("io.weight", String(CgroupConversions.ioWeight(blkioWeight: w)), "\(p).weight")
            }
        }
        // Per-device BFQ weights (Linux 5.4) show as lines after "default N"; an older
        // io.bfq.weight holds one number, and runc then skips weightDevice.
        if let bfq, Int64(bfq.trimmingWhitespace) == nil {
            for (i, d) in (b.weightDevice ?? []).enumerated() {
                try write("io.bfq.weight", "\(d.major):\(d.minor) \(d.weight ?? 0)\n", "\(p).weightDevice[\(i)]")
            }
        }
        for (line, jsonPath) in CgroupConversions.ioMax(b) { try write("io.max", line, jsonPath) }
    }

    /// io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." → v1's bytes and ios tables.
    func ioStats() -> JSONValue? {
        guard let io = read("io.stat") else { return nil }
        var bytes: [JSONValue] = []
        var ios: [JSONValue] = []
        for line in io.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard let dev = f.first else { continue }
            let mm = dev.split(separator: ":")
            guard mm.count == 2, let major = UInt64(mm[0]), let minor = UInt64(mm[1]) else { continue }
            for item in f.dropFirst() {
                let kv = item.split(separator: "=")
                guard kv.count == 2, let value = UInt64(kv[1]) else { continue }
                let entry: (inout [JSONValue], String) -> Void = { table, op in
                    table.append(.object([
                        (key: "major", value: .integer(major)), (key: "minor", value: .integer(minor)),
                        (key: "op", value: .string(op)), (key: "value", value: .integer(value)),
                    ]))
                }
                switch kv[0] {
                case "rbytes": entry(&bytes, "Read")
                case "wbytes": entry(&bytes, "Write")
                case "rios": entry(&ios, "Read")
                case "wios": entry(&ios, "Write")
                default: break
                }
            }
        }
        return .object([
            (key: "ioServiceBytesRecursive", value: .array(bytes)), (key: "ioServicedRecursive", value: .array(ios)),
        ])
    }
}
