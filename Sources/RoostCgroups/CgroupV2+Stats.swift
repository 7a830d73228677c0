import Glibc
import RoostLinux
import RoostSpec

/// runc's `events` statistics from the v2 files (fs2 statCpu, statMemory, statPids, statIo,
/// statHugeTlb), in the same JSON shape CgroupV1.stats() gives so either driver's output
/// reads the same.
extension CgroupV2 {
    public func stats() -> JSONValue { stats(files: HostFiles()) }

    func stats(files: some CgroupFiles) -> JSONValue {
        let dir = path
        func read(_ file: String) -> String? { (try? files.read(dir + "/" + file))?.trimmingWhitespace }
        /// A value where "max" is UInt64.max (runc's GetCgroupParamUint).
        func number(_ file: String) -> UInt64? {
            guard let t = read(file) else { return nil }
            return t == "max" ? UInt64.max : UInt64(t)
        }
        func table(_ file: String) -> [(String, UInt64)] {
            (read(file) ?? "").split(separator: "\n").compactMap { line in
                let f = line.split(separator: " ")
                return f.count == 2 ? UInt64(f[1]).map { (String(f[0]), $0) } : nil
            }
        }
        var data: [(key: String, value: JSONValue)] = []

        // cpu.stat is there even without the cpu controller; its times are in microseconds.
        if read("cpu.stat") != nil {
            let t = Dictionary(table("cpu.stat"), uniquingKeysWith: { a, _ in a })
            data.append((key: "cpu", value: .object([
                (key: "usage", value: .object([
                    (key: "total", value: .integer((t["usage_usec"] ?? 0) * 1000)),
                    (key: "kernel", value: .integer((t["system_usec"] ?? 0) * 1000)),
                    (key: "user", value: .integer((t["user_usec"] ?? 0) * 1000)),
                ])),
                (key: "throttling", value: .object([
                    (key: "periods", value: .integer(t["nr_periods"] ?? 0)),
                    (key: "throttledPeriods", value: .integer(t["nr_throttled"] ?? 0)),
                    (key: "throttledTime", value: .integer((t["throttled_usec"] ?? 0) * 1000)),
                ])),
            ])))
        }

        if let usage = number("memory.current") {
            let raw = table("memory.stat")
            let limit = number("memory.max") ?? UInt64.max
            var fields: [(key: String, value: JSONValue)] = [
                (key: "cache", value: .integer(raw.first { $0.0 == "file" }?.1 ?? 0)),
                (key: "usage", value: .object([
                    (key: "usage", value: .integer(usage)),
                    (key: "max", value: .integer(number("memory.peak") ?? 0)),  // Linux 5.19
                    (key: "failcnt", value: .integer(0)),
                    (key: "limit", value: .integer(limit)),
                ])),
            ]
            // v1 reports memory+swap; so does runc on v2: swap usage plus memory usage, the
            // limits added unless swap is unlimited, and no maximum.
            if let swap = number("memory.swap.current") {
                let swapLimit = number("memory.swap.max") ?? UInt64.max
                fields.append((key: "swap", value: .object([
                    (key: "usage", value: .integer(swap &+ usage)),
                    (key: "max", value: .integer(0)),
                    (key: "failcnt", value: .integer(0)),
                    (key: "limit", value: .integer(swapLimit == UInt64.max ? swapLimit : swapLimit &+ limit)),
                ])))
            }
            fields.append((key: "raw", value: .object(raw.map { (key: $0.0, value: .integer($0.1)) })))
            data.append((key: "memory", value: .object(fields)))
        }

        // Without the pids controller, count cgroup.procs (runc's statPidsFromCgroupProcs).
        if let current = number("pids.current") {
            let limit = number("pids.max").map { $0 == UInt64.max ? 0 : $0 } ?? 0
            data.append((key: "pids", value: .object([(key: "current", value: .integer(current)), (key: "limit", value: .integer(limit))])))
        } else if let procs = read("cgroup.procs") {
            let count = procs.split(separator: "\n").count
            data.append((key: "pids", value: .object([(key: "current", value: .integer(count)), (key: "limit", value: .integer(0))])))
        }

        // io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." → v1's bytes and ios tables.
        if let io = read("io.stat") {
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
            data.append((key: "blkio", value: .object([
                (key: "ioServiceBytesRecursive", value: .array(bytes)), (key: "ioServicedRecursive", value: .array(ios)),
            ])))
        }

        // hugetlb.<size>.current (or .rsvd.current, which counts reservations too, when there);
        // failures are the "max" count in hugetlb.<size>.events. v2 keeps no maximum usage.
        let sizes = files.list(dir).compactMap { name -> String? in
            guard name.hasPrefix("hugetlb."), name.hasSuffix(".current"), !name.hasSuffix(".rsvd.current") else { return nil }
            return String(name.dropFirst(8).dropLast(8))
        }.sorted()
        if !sizes.isEmpty {
            data.append((key: "hugetlb", value: .object(sizes.map { size in
                let usage = number("hugetlb.\(size).rsvd.current") ?? number("hugetlb.\(size).current") ?? 0
                let failcnt = table("hugetlb.\(size).events").first { $0.0 == "max" }?.1 ?? 0
                return (key: size, value: .object([
                    (key: "usage", value: .integer(usage)), (key: "max", value: .integer(0)), (key: "failcnt", value: .integer(failcnt)),
                ]))
            })))
        }
        return .object(data)
    }

    /// How many processes the cgroup (and those below it) has OOM-killed: memory.events'
    /// oom_kill (runc's OOMKillCount).
    public func oomKills() -> UInt64 { oomKills(files: HostFiles()) }

    func oomKills(files: some CgroupFiles) -> UInt64 {
        let text = (try? files.read(path + "/memory.events")) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return UInt64(String(line.dropFirst(9)).trimmingWhitespace) ?? 0
        }
        return 0
    }

    /// The memory limit in bytes, when one is set (memory.max other than "max").
    public func memoryLimit() -> UInt64? {
        guard let b = try? FileIO.read(path + "/memory.max") else { return nil }
        return UInt64(String(decoding: b, as: UTF8.self).trimmingWhitespace)
    }
}
