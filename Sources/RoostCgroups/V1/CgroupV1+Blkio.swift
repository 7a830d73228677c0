import RoostSpec

// The blkio controller on cgroup v1 (runc's fs/blkio.go): weights, per-device weights and
// throttles from linux.resources.blockIO; the throttle statistics.

extension CgroupV1 {
    func setBlkio(_ r: Spec.Resources) throws(CgroupError) {
        guard let b = r.blockIO else { return }
        let p = "linux.resources.blockIO"
        if let v = b.weight, v != 0 { try write("blkio", "blkio.weight", String(v), "\(p).weight") }
        if let v = b.leafWeight, v != 0 { try write("blkio", "blkio.leaf_weight", String(v), "\(p).leafWeight") }
        for (i, d) in (b.weightDevice ?? []).enumerated() {
            if let w = d.weight { try write("blkio", "blkio.weight_device", "\(d.major):\(d.minor) \(w)", "\(p).weightDevice[\(i)]") }
            if let w = d.leafWeight { try write("blkio", "blkio.leaf_weight_device", "\(d.major):\(d.minor) \(w)", "\(p).weightDevice[\(i)]") }
        }
        let throttles: [(String, [Spec.ThrottleDevice]?, String)] = [
            ("throttleReadBpsDevice", b.throttleReadBpsDevice, "blkio.throttle.read_bps_device"),
            ("throttleWriteBpsDevice", b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device"),
            ("throttleReadIOPSDevice", b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device"),
            ("throttleWriteIOPSDevice", b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device"),
        ]
        for (field, list, file) in throttles {
            for (i, d) in (list ?? []).enumerated() {
                try write("blkio", file, "\(d.major):\(d.minor) \(d.rate)", "\(p).\(field)[\(i)]")
            }
        }
    }

    func blkioStats() -> JSONValue? {
        guard let blkio = directory("blkio") else { return nil }
        func entries(_ file: String) -> JSONValue {
            .array((read(blkio, file) ?? "").fields("\n").compactMap { line in
                let f = line.fields(" ")
                guard f.count == 3, let value = UInt64(f[2]) else { return nil }
                let mm = f[0].fields(":")
                guard mm.count == 2, let major = UInt64(mm[0]), let minor = UInt64(mm[1]) else { return nil }
                return .object([
                    (key: "major", value: .integer(major)), (key: "minor", value: .integer(minor)),
                    (key: "op", value: .string(String(f[1]))), (key: "value", value: .integer(value)),
                ])
            })
        }
        return .object([
            (key: "ioServiceBytesRecursive", value: entries("blkio.throttle.io_service_bytes")),
            (key: "ioServicedRecursive", value: entries("blkio.throttle.io_serviced")),
        ])
    }
}
