import CRoostShim
import Glibc

/// Unix-domain sockets, for the console, pidfd and notify sockets engines give roost. A path
/// starting with "@" names an abstract socket (as systemd writes NOTIFY_SOCKET).
public enum UnixSocket {
    /// Sends `fd` over the connected unix socket `sock` with `message` (SCM_RIGHTS, one sendmsg).
    public static func sendFD(_ sock: Int32, _ fd: Int32, message: some Collection<UInt8>, display: String) throws(SyscallError) {
        let bytes = Array(message)
        try sys("sendmsg", display) { bytes.withUnsafeBytes { roost_send_fd(sock, fd, $0.baseAddress, $0.count) } }
    }

    /// Connects a stream (or datagram) socket to `path`, however long (see `listen`); returns the
    /// close-on-exec fd.
    public static func connect(_ path: String, datagram: Bool = false) throws(SyscallError) -> Int32 {
        let type = datagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        let fd = try sys("socket", path) { socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let r = path.hasPrefix("@") ? withAddress(path) { Glibc.connect(fd, $0, $1) } : withShortPath(path) { short in withAddress(short) { Glibc.connect(fd, $0, $1) } }
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

    /// A listening stream socket bound at `path` with `mode` (the umask is narrowed around bind, so
    /// the socket never exists with wider permissions). A path longer than sockaddr_un holds is
    /// bound through its directory's /proc/self/fd link.
    public static func listen(_ path: String, mode: mode_t, backlog: Int32 = 1) throws(SyscallError) -> Int32 {
        let fd = try sys("socket", path) { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let old = umask(~mode & 0o777)
        let r = withShortPath(path) { short in withAddress(short) { Glibc.bind(fd, $0, $1) } }
        let e = errno
        umask(old)
        if r != 0 || Glibc.listen(fd, backlog) != 0 {
            let err = r == -2 ? ENAMETOOLONG : (r != 0 ? e : errno)
            close(fd)
            throw SyscallError(r != 0 ? "bind" : "listen", path, errno: err)
        }
        return fd
    }

    /// `path` itself when it fits a sockaddr_un, else `/proc/self/fd/N/NAME` with N its directory.
    private static func withShortPath(_ path: String, _ body: (String) -> Int32) -> Int32 {
        if path.utf8.count < MemoryLayout<sockaddr_un>.size - MemoryLayout<sa_family_t>.size { return body(path) }
        guard let slash = path.lastIndex(of: "/") else { return -2 }
        let dir = open(String(path[..<slash]).isEmpty ? "/" : String(path[..<slash]), ROOST_O_PATH | O_DIRECTORY | O_CLOEXEC)
        if dir < 0 { return -1 }
        defer { close(dir) }
        return body("/proc/self/fd/\(dir)" + path[slash...])
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
