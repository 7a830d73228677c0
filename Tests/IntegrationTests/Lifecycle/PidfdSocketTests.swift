import Foundation
import RoostTestSupport
import Testing

/// A listening unix socket that receives one fd over SCM_RIGHTS, as containerd's shim does.
final class FDReceiver: @unchecked Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = try boundUnixSocket(path, type: Int32(SOCK_STREAM.rawValue))
        guard listen(fd, 1) == 0 else { throw FixtureError("listen \(path): \(errno)") }
    }

    deinit { close(fd) }

    /// Accepts one connection and returns (message, received fd).
    func receive() -> (String, Int32)? {
        let conn = accept(fd, nil, nil)
        guard conn >= 0 else { return nil }
        defer { close(conn) }
        guard let (data, received) = receiveWithRights(conn), let fd = received else { return nil }
        return (String(decoding: data, as: UTF8.self), fd)
    }
}

/// A unix socket of `type` bound at `path`, as the engines' console/pidfd/notify sockets are.
func boundUnixSocket(_ path: String, type: Int32) throws -> Int32 {
    let fd = socket(AF_UNIX, type, 0)
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
    let ok = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard ok == 0 else { throw FixtureError("bind \(path): \(errno)") }
    return fd
}

/// One recvmsg: the bytes and the descriptor an SCM_RIGHTS message carried, if any.
func receiveWithRights(_ socket: Int32) -> ([UInt8], Int32?)? {
    var data = [UInt8](repeating: 0, count: 4096)
    // cmsghdr (16 bytes: len, level, type) + one int, padded: CMSG_SPACE(4) == 24.
    var control = [UInt8](repeating: 0, count: 24)
    let n: Int = data.withUnsafeMutableBytes { d in
        control.withUnsafeMutableBytes { c in
            var iov = iovec(iov_base: d.baseAddress, iov_len: d.count)
            return withUnsafeMutablePointer(to: &iov) { iovp in
                var msg = msghdr()
                msg.msg_iov = iovp
                msg.msg_iovlen = 1
                msg.msg_control = c.baseAddress
                msg.msg_controllen = c.count
                return recvmsg(socket, &msg, 0)
            }
        }
    }
    guard n > 0 else { return nil }
    let level = control.withUnsafeBytes { $0.load(fromByteOffset: 8, as: Int32.self) }
    let type = control.withUnsafeBytes { $0.load(fromByteOffset: 12, as: Int32.self) }
    let fd: Int32? = level == SOL_SOCKET && type == 1 /* SCM_RIGHTS */ ? control.withUnsafeBytes { $0.load(fromByteOffset: 16, as: Int32.self) } : nil
    return (Array(data[0..<n]), fd)
}

@Suite("--pidfd-socket and --console-socket rules", needsContainers)
struct PidfdSocketTests {
    @Test("create --pidfd-socket sends a pidfd of the init with runc's message")
    func pidfd() throws {
        try withBundle { b in
            try b.writeConfig()
            let receiver = try FDReceiver(path: b.path + "/pidfd.sock")
            let result = LockedBox<(String, Int32)?>(nil)
            let thread = Thread { result.value = receiver.receive() }
            thread.start()
            let r = b.roost(["create", "--pidfd-socket", receiver.path, "--bundle", b.path, b.id])
            #expect(r.status == 0, "\(r)")
            #expect(eventually { result.value != nil })
            let (message, pidfd) = try #require(result.value)
            defer { close(pidfd) }
            #expect(message == "standard")
            let fdinfo = try String(contentsOfFile: "/proc/self/fdinfo/\(pidfd)", encoding: .utf8)
            let pid = stateOf(b)?["pid"] as? Int
            #expect(fdinfo.contains("Pid:\t\(pid ?? -1)\n"), "\(fdinfo)")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("a pidfd socket nobody listens on fails create and leaves nothing")
    func pidfdNoListener() throws {
        try withBundle { b in
            try b.writeConfig()
            let r = b.roost(["create", "--pidfd-socket", b.path + "/nobody.sock", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "connect \(b.path)/nobody.sock: No such file or directory")
        }
    }

    @Test("a console socket without a terminal is refused, as runc does")
    func consoleSocketWithoutTerminal() throws {
        try withBundle { b in
            try b.writeConfig()
            let r = b.roost(["create", "--console-socket", b.path + "/c.sock", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "cannot use a console socket if roost will not detach or allocate a tty")
        }
    }

    @Test("a detached terminal without a console socket is refused")
    func terminalWithoutConsoleSocket() throws {
        try withBundle { b in
            b.process["terminal"] = true
            try b.writeConfig()
            let r = b.roost(["create", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "config.json: process.terminal: cannot allocate a tty when roost detaches without --console-socket")
        }
    }
}

final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
