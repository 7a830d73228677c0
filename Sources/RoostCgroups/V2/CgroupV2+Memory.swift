import Glibc
import RoostLinux
import RoostSpec

// The memory controller on cgroup v2 (runc's fs2/memory.go): memory.max, memory.low and
// memory.swap.max from linux.resources.memory; its statistics, OOM kills and limit.

/// runc's isMemorySet: a limit, reservation or swap other than 0.
func isMemorySet(_ r: Spec.Resources) -> Bool {
    guard let m = r.memory else { return false }
    return (m.reservation ?? 0) != 0 || (m.limit ?? 0) != 0 || (m.swap ?? 0) != 0
}

extension CgroupV2Files {
    func setMemory(_ r: Spec.Resources) throws(CgroupError) {
        guard isMemorySet(r), let m = r.memory else { return }
        let p = "linux.resources.memory"
        if m.checkBeforeUpdate == true, let usage = read("memory.current").flatMap({ UInt64($0) }) {
            if let s = m.swap, s > 0, UInt64(s) <= usage {
                throw CgroupError(path: "\(p).swap", problem: "memory+swap limit \(s) is not above the current usage \(usage)")
            }
            if let l = m.limit, l > 0, UInt64(l) <= usage {
                throw CgroupError(path: "\(p).limit", problem: "memory limit \(l) is not above the current usage \(usage)")
            }
        }
        if let swap = try CgroupConversions.swapMaxText(swap: m.swap, limit: m.limit) {
            do { try tryWrite("memory.swap.max", swap) } catch {
                // No swap accounting: unlimited or no swap is what the container gets anyway.
                if !(error.errno == ENOENT && (swap == "max" || swap == "0")) {
                    throw CgroupError(path: "\(p).swap", problem: problem("memory.swap.max", swap, error))
                }
            }
        }
        if let v = CgroupConversions.limitText(m.limit ?? 0) { try write("memory.max", v, "\(p).limit") }
        if let v = CgroupConversions.limitText(m.reservation ?? 0) { try write("memory.low", v, "\(p).reservation") }
    }

    /// runc's statMemory, in v1's shape: v1 reports memory+swap, and so does runc on v2: swap
    /// usage plus memory usage, the limits added unless swap is unlimited, and no maximum.
    func memoryStats() -> JSONValue? {
        guard let usage = number("memory.current") else { return nil }
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
        return .object(fields)
    }

    /// memory.events' oom_kill (runc's OOMKillCount).
    func oomKills() -> UInt64 {
        table("memory.events").first { $0.0 == "oom_kill" }?.1 ?? 0
    }
}

extension CgroupV2 {
    /// How many processes the cgroup (and those below it) has OOM-killed.
    public func oomKills() -> UInt64 { oomKills(files: HostFiles()) }
    func oomKills(files: some CgroupFiles) -> UInt64 { CgroupV2Files(dir: path, files: files).oomKills() }

    /// The memory limit in bytes, when one is set (memory.max other than "max").
    public func memoryLimit() -> UInt64? {
        CgroupV2Files(dir: path, files: HostFiles()).read("memory.max").flatMap { UInt64($0) }
    }

    /// memory.events, open, to poll for POLLPRI (see OOMWatch); nil without the memory controller.
    public func oomWatch() -> OOMWatch? {
        let fd = open(path + "/memory.events", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        return OOMWatch(fd: fd, events: Int16(POLLPRI), memoryEvents: true, seen: OOMWatch.oomKillCount(fd))
    }
}
