import Glibc

/// Something to poll(2) for the cgroup's OOM kills: wait for `events` on `fd`, then `take()`.
/// v1 gives an eventfd (readable); v2 the open memory.events file, which the kernel marks
/// with POLLPRI each time it changes (its POLLIN is always set, so poll for POLLPRI only).
public struct OOMWatch: Sendable {
    public let fd: Int32
    public let events: Int16
    let memoryEvents: Bool
    var seen: UInt64

    init(fd: Int32, events: Int16, memoryEvents: Bool, seen: UInt64) {
        self.fd = fd
        self.events = events
        self.memoryEvents = memoryEvents
        self.seen = seen
    }

    /// After poll reported `events`: how many OOM kills happened since the last call (v1:
    /// since the last notification). Re-reading memory.events re-arms its POLLPRI.
    public mutating func take() -> UInt64 {
        if !memoryEvents {
            var count: UInt64 = 0
            return read(fd, &count, 8) == 8 ? count : 0
        }
        let now = Self.oomKillCount(fd)
        defer { seen = max(seen, now) }
        return now > seen ? now - seen : 0
    }

    public func close() { _ = Glibc.close(fd) }

    static func oomKillCount(_ fd: Int32) -> UInt64 {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return 0 }
        for line in String(decoding: buf[..<n], as: UTF8.self).split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return UInt64(line.dropFirst(9)) ?? 0
        }
        return 0
    }
}
