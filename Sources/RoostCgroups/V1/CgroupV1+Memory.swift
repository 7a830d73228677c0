import CRoostShim
import Glibc
import RoostLinux
import RoostSpec

// The memory controller on cgroup v1 (runc's fs/memory.go): limit, memsw, soft limit,
// swappiness and the OOM killer switch; its statistics, OOM kills, limit and OOM eventfd.

extension CgroupV1 {
    /// The limit and memory+swap limit in the order the kernel takes them (runc's
    /// setMemoryAndSwap): memory.limit_in_bytes may never exceed memsw's, so a limit that grows
    /// past the old memsw limit, or memory -1 (unlimited, which takes swap with it unless swap is
    /// given), goes after the new memsw limit. 0 leaves a value as it is.
    func setMemory(_ r: Spec.Resources) throws(CgroupError) {
        guard let m = r.memory else { return }
        let p = "linux.resources.memory"
        let memsw = directory("memory").map { FileIO.exists($0 + "/memory.memsw.limit_in_bytes") } ?? false
        let limit = m.limit ?? 0
        var swap = m.swap ?? 0
        if limit == -1 && swap == 0 && memsw { swap = -1 }
        if swap != 0 && !memsw {
            throw CgroupError(path: "\(p).swap", problem: "this kernel does not account swap (no memory.memsw.limit_in_bytes)")
        }
        func setLimit() throws(CgroupError) {
            if limit != 0 { try write("memory", "memory.limit_in_bytes", String(limit), "\(p).limit") }
        }
        func setSwap() throws(CgroupError) {
            if swap != 0 { try write("memory", "memory.memsw.limit_in_bytes", String(swap), "\(p).swap") }
        }
        let current = directory("memory").flatMap { read($0, "memory.limit_in_bytes") }.flatMap { UInt64($0) } ?? 0
        if limit != 0 && swap != 0 && (swap == -1 || (swap > 0 && current < UInt64(swap))) {
            try setSwap()
            try setLimit()
        } else {
            try setLimit()
            try setSwap()
        }
        if let v = m.reservation { try write("memory", "memory.soft_limit_in_bytes", String(v), "\(p).reservation") }
        if let v = m.swappiness { try write("memory", "memory.swappiness", String(v), "\(p).swappiness") }
        if m.disableOOMKiller == true { try write("memory", "memory.oom_control", "1", "\(p).disableOOMKiller") }
    }

    func memoryStats() -> JSONValue? {
        guard let mem = directory("memory") else { return nil }
        func entry(_ prefix: String) -> JSONValue {
            .object([
                (key: "usage", value: .integer(number(mem, prefix + "usage_in_bytes"))),
                (key: "max", value: .integer(number(mem, prefix + "max_usage_in_bytes"))),
                (key: "failcnt", value: .integer(number(mem, prefix + "failcnt"))),
                (key: "limit", value: .integer(number(mem, prefix + "limit_in_bytes"))),
            ])
        }
        let raw = table(mem, "memory.stat")
        var fields: [(key: String, value: JSONValue)] = [
            (key: "cache", value: .integer(raw.first { $0.0 == "cache" }?.1 ?? 0)),
            (key: "usage", value: entry("memory.")),
        ]
        if FileIO.exists(mem + "/memory.memsw.usage_in_bytes") { fields.append((key: "swap", value: entry("memory.memsw."))) }
        fields.append((key: "raw", value: .object(raw.map { (key: $0.0, value: .integer($0.1)) })))
        return .object(fields)
    }

    /// How many processes the memory cgroup has OOM-killed (memory.oom_control's oom_kill).
    public func oomKills() -> UInt64 {
        guard let mem = directory("memory") else { return 0 }
        return table(mem, "memory.oom_control").first { $0.0 == "oom_kill" }?.1 ?? 0
    }

    /// The memory limit in bytes, when one is set.
    public func memoryLimit() -> UInt64? {
        guard let mem = directory("memory"), let v = read(mem, "memory.limit_in_bytes").flatMap({ UInt64($0) }), v < (1 << 62) else { return nil }
        return v
    }

    /// An eventfd that becomes readable each time the memory cgroup OOM-kills (v1
    /// cgroup.event_control on memory.oom_control); nil without a memory hierarchy.
    public func oomWatch() -> OOMWatch? {
        guard let mem = directory("memory") else { return nil }
        let efd = roost_eventfd()
        guard efd >= 0 else { return nil }
        let control = open(mem + "/memory.oom_control", O_RDONLY | O_CLOEXEC)
        guard control >= 0 else { close(efd); return nil }
        defer { close(control) }
        do { try FileIO.writeExisting(mem + "/cgroup.event_control", "\(efd) \(control)") } catch {
            close(efd)
            return nil
        }
        return OOMWatch(fd: efd, events: Int16(POLLIN), memoryEvents: false, seen: 0)
    }
}
