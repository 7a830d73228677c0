import RoostSpec

extension CgroupV2 {
    /// runc's `events` statistics from the v2 files (fs2 statCpu, statMemory, statPids, statIo,
    /// statHugeTlb), in the same JSON shape CgroupV1.stats() gives so either driver's output
    /// reads the same; each controller's part is in its own file.
    public func stats() -> JSONValue { stats(files: HostFiles()) }

    func stats(files: some CgroupFiles) -> JSONValue {
        let d = CgroupV2Files(dir: path, files: files)
        let parts: [(String, JSONValue?)] = [
            ("cpu", d.cpuStats()), ("memory", d.memoryStats()), ("pids", d.pidsStats()), ("blkio", d.ioStats()), ("hugetlb", d.hugetlbStats()),
        ]
        return .object(parts.compactMap { name, value in value.map { (key: name, value: $0) } })
    }
}
