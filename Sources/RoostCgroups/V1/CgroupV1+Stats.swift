import Glibc
import RoostLinux
import RoostSpec

extension CgroupV1 {
    /// runc's `events` statistics (its types.Stats JSON) read from the v1 controllers; each
    /// controller's part is in its own file.
    public func stats() -> JSONValue {
        let parts: [(String, JSONValue?)] = [
            ("cpu", cpuStats()), ("memory", memoryStats()), ("pids", pidsStats()), ("blkio", blkioStats()), ("hugetlb", hugetlbStats()),
        ]
        return .object(parts.compactMap { name, value in value.map { (key: name, value: $0) } })
    }

    func read(_ dir: String, _ file: String) -> String? {
        (try? FileIO.read(dir + "/" + file)).map { String(decoding: $0, as: UTF8.self).trimmingNewlines }
    }

    func number(_ dir: String, _ file: String) -> UInt64 { read(dir, file).flatMap { UInt64($0) } ?? 0 }

    /// `key value` lines (memory.stat, cpu.stat, cpuacct.stat).
    func table(_ dir: String, _ file: String) -> [(String, UInt64)] {
        (read(dir, file) ?? "").fields("\n").compactMap { line in
            let f = line.fields(" ")
            return f.count == 2 ? UInt64(f[1]).map { (String(f[0]), $0) } : nil
        }
    }
}
