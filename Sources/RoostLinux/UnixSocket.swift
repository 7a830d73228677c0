import CRoostShim
import Glibc

/// Unix-domain sockets, for the console, pidfd and notify sockets engines give roost. A path
/// starting with "@" names an abstract socket (as systemd writes NOTIFY_SOCKET).
public enum UnixSocket {
    /// Connects a stream (or datagram) socket to `path`; returns the close-on-exec fd.
    public static func connect(_ path: String, datagram: Bool = false) throws(SyscallError) -> Int32 {
        let type = datagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        let fd = try sys("socket", path) { socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let r = withAddress(path) { Glibc.connect(fd, $0, $1) }
        if r != 0 {
            let e = r == -2 ? ENAMETOOLONG : errno
            close(fd)
            throw SyscallError("connect", path, errno: e)
        }
        return fd
    }

    /// A datagram socket bound at `path` (mode 0777, as runc's notify socket).
    public static func bindDatagram(_ path: String) throws(SyscallError) -> Int32 {
        let fd = try sys("socket", path) { socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let r = withAddress(path) { Glibc.bind(fd, $0, $1) }
        if r != 0 {
            let e = r == -2 ? ENAMETOOLONG : errno
            close(fd)
            throw SyscallError("bind", path, errno: e)
        }
        chmod(path, 0o777)
        return fd
    }

    /// Calls `body` with a sockaddr_un for `path`; returns -2 if the path is too long.
    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { return -2 }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        return withUnsafePointer(to: &addr) { p in p.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, len) } }
    }
}
