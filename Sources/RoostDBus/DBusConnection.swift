import Glibc
import RoostLinux

/// What went wrong talking D-Bus: a transport or protocol problem, or the peer's error reply
/// (`name` is then the D-Bus error name, e.g. org.freedesktop.systemd1.UnitExists).
public struct DBusError: Error, CustomStringConvertible, Sendable {
    public let name: String
    public let message: String

    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }

    public var description: String { message.isEmpty ? name : "\(name): \(message)" }

    static func io(_ message: String) -> DBusError { DBusError(name: "roost.DBus.IOError", message: message) }
}

/// A blocking, single-threaded D-Bus connection over a unix socket: SASL EXTERNAL with the
/// caller's uid, then method calls that wait for their reply; signals that arrive meanwhile
/// are kept for `waitForSignal`.
public final class DBusConnection {
    public let fd: Int32
    /// The unique name the bus gave us (nil on a peer-to-peer connection such as systemd's
    /// private socket, where there is no bus to say Hello to).
    public private(set) var uniqueName: String?
    var serial: UInt32 = 0
    var buffer: [UInt8] = []
    var signals: [DBusMessage] = []
    /// How long a reply or signal may take, in milliseconds (runc waits 30 s for systemd's jobs).
    public var timeout: Int32 = 30_000

    /// The system bus's socket and systemd's private one (peer-to-peer, root only).
    public static let systemBus = "/run/dbus/system_bus_socket"
    public static let systemdPrivate = "/run/systemd/private"

    /// Connects to `path` and authenticates; `hello` registers on a bus (not for peer-to-peer).
    public init(path: String, hello: Bool = true) throws(DBusError) {
        do { fd = try UnixSocket.connect(path) } catch { throw .io(error.description) }
        // From here a throw runs deinit, which closes fd.
        try authenticate()
        if hello {
            let reply = try call(.methodCall(
                destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                interface: "org.freedesktop.DBus", member: "Hello"))
            uniqueName = reply.body.first?.stringValue
        }
    }

    deinit { Glibc.close(fd) }

    static func monotonicMilliseconds() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
    }

    /// The SASL exchange: a NUL byte, AUTH EXTERNAL with our uid in hex-encoded ASCII decimal
    /// and BEGIN in one write, then the server's OK <guid> (after which the stream is D-Bus
    /// messages).
    ///
    /// BEGIN goes before the OK, as sd-bus's own client sends it, never after: systemd's private
    /// socket (an sd-bus server) leaves its auth phase on reading BEGIN without looking at bytes
    /// it read past it, so a first message that arrived in the same read as a late BEGIN sat
    /// unanswered until the client sent something more, which a client waiting for its reply
    /// never does. Sent with AUTH, BEGIN is in the server's hands before its OK comes back, and
    /// so before any message of ours exists.
    func authenticate() throws(DBusError) {
        let uid = String(getuid())
        let hex = uid.utf8.map { b in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 0xf)]], as: UTF8.self)
        }.joined()
        try send([0] + Array("AUTH EXTERNAL \(hex)\r\nBEGIN\r\n".utf8))
        let line = try readLine()
        guard line.hasPrefix("OK ") else { throw DBusError(name: "roost.DBus.AuthFailed", message: "the bus refused AUTH EXTERNAL as uid \(uid): \(line)") }
    }

    func readLine() throws(DBusError) -> String {
        var line: [UInt8] = []
        while !(line.count >= 2 && line[line.count - 2] == 13 && line[line.count - 1] == 10) {
            guard line.count < 4096 else { throw .io("SASL line too long") }
            try waitReadable()
            var b: UInt8 = 0
            let n = Glibc.read(fd, &b, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1 else { throw .io(n == 0 ? "the bus closed the connection" : "read: \(String(cString: strerror(errno)))") }
            line.append(b)
        }
        return String(decoding: line.dropLast(2), as: UTF8.self)
    }

    func send(_ bytes: [UInt8]) throws(DBusError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io("send: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    func waitReadable() throws(DBusError) {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, timeout)
            if r < 0, errno == EINTR { continue }
            if r == 0 { throw DBusError(name: "roost.DBus.Timeout", message: "no answer in \(timeout / 1000) s") }
            if r < 0 { throw .io("poll: \(String(cString: strerror(errno)))") }
            return
        }
    }

    /// Reads the next whole message.
    func receive() throws(DBusError) -> DBusMessage {
        while true {
            if buffer.count >= 16 {
                guard let length = DBusMessage.length(header: Array(buffer[0..<16])), length <= 128 << 20 else {
                    throw .io("not a D-Bus message from the peer")
                }
                if buffer.count >= length {
                    let bytes = Array(buffer[0..<length])
                    buffer.removeFirst(length)
                    do { return try DBusMessage(unmarshal: bytes) } catch { throw .io(error.description) }
                }
            }
            try waitReadable()
            var chunk = [UInt8](repeating: 0, count: 8192)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io(n == 0 ? "the bus closed the connection" : "read: \(String(cString: strerror(errno)))") }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    /// Sends a method call and waits for its reply; an error reply throws its name and message.
    @discardableResult
    public func call(_ message: DBusMessage) throws(DBusError) -> DBusMessage {
        var m = message
        serial &+= 1
        if serial == 0 { serial = 1 }
        m.serial = serial
        try send(m.marshal())
        while true {
            let reply = try receive()
            switch reply.kind {
            case .signal: signals.append(reply)
            case .methodReturn where reply.replySerial == m.serial: return reply
            case .error where reply.replySerial == m.serial:
                throw DBusError(name: reply.errorName ?? "org.freedesktop.DBus.Error.Failed", message: reply.body.first?.stringValue ?? "")
            default: continue  // a call to us, or a reply to something else: not ours to answer
            }
        }
    }

    /// The first signal, kept or new, that `matches` accepts (earlier kept ones stay kept).
    public func waitForSignal(_ matches: (DBusMessage) -> Bool) throws(DBusError) -> DBusMessage {
        if let i = signals.firstIndex(where: matches) { return signals.remove(at: i) }
        // One deadline for the whole wait: other signals arriving must not keep extending it.
        let perPoll = timeout
        defer { timeout = perPoll }
        let deadline = Self.monotonicMilliseconds() + Int64(perPoll)
        while true {
            let left = deadline - Self.monotonicMilliseconds()
            if left <= 0 { throw DBusError(name: "roost.DBus.Timeout", message: "no answer in \(perPoll / 1000) s") }
            timeout = Int32(left)
            let m = try receive()
            guard m.kind == .signal else { continue }
            if matches(m) { return m }
            signals.append(m)
        }
    }
}
