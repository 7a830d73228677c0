import Glibc

/// Unix-domain stream sockets, for the console and pidfd sockets engines give roost.
public enum UnixSocket {
    /// Connects to the socket at `path`; returns the (close-on-exec) fd.
    public static func connect(_ path: String) throws(SyscallError) -> Int32 {
        let fd = try sys("socket", path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else {
            close(fd)
            throw SyscallError("connect", path, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        let r = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, len) }
        }
        if r != 0 {
            let e = errno
            close(fd)
            throw SyscallError("connect", path, errno: e)
        }
        return fd
    }
}
