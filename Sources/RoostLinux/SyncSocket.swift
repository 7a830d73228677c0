import CRoostShim
import Glibc

/// One end of the parent↔child sync channel: a SOCK_SEQPACKET socketpair, so each send is one
/// message and a closed peer reads as end of stream (how the parent learns that exec happened).
/// Owned by reference: the parent's end is shared by the child's driver, the create's rollback
/// and the created container; it closes when the last of them lets go, or at `close`. Each
/// process closes the end that is not its own right after the clone, so the child's end dying
/// with execve is what the parent reads as end of stream.
public final class SyncSocket {
    /// The socket's number; -1 once closed.
    public private(set) var raw: Int32

    private init(raw: Int32) { self.raw = raw }

    deinit { if raw >= 0 { Glibc.close(raw) } }

    public static func pair() throws(SyscallError) -> (SyncSocket, SyncSocket) {
        var fds: [Int32] = [-1, -1]
        try sys("socketpair") { socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) }
        return (SyncSocket(raw: fds[0]), SyncSocket(raw: fds[1]))
    }

    public func close() {
        if raw >= 0 { Glibc.close(raw) }
        raw = -1
    }

    public func send(_ bytes: [UInt8]) throws(SyscallError) {
        try sys("send", "sync socket") { bytes.withUnsafeBytes { Glibc.send(raw, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    }

    /// Sends a message with a file descriptor attached (SCM_RIGHTS).
    public func send(_ bytes: [UInt8], fd: Int32) throws(SyscallError) {
        try UnixSocket.sendFD(raw, fd, message: bytes, display: "sync socket")
    }

    /// The next message and the descriptor sent with it (-1 if none), or nil when the peer closed.
    public func receiveWithFD() throws(SyscallError) -> ([UInt8], Int32)? {
        var buf = [UInt8](repeating: 0, count: 8192)
        var fd: Int32 = -1
        let n = try sys("recvmsg", "sync socket") { buf.withUnsafeMutableBytes { roost_recv_fd(raw, $0.baseAddress, $0.count, &fd) } }
        if n == 0 { return nil }
        return (Array(buf[0..<Int(n)]), fd)
    }

    /// The next message, or nil when the peer closed its end.
    public func receive() throws(SyscallError) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 8192)
        let n = try sys("recv", "sync socket") { buf.withUnsafeMutableBytes { recv(raw, $0.baseAddress, $0.count, 0) } }
        if n == 0 { return nil }
        return Array(buf[0..<n])
    }
}
