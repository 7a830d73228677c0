import CRoostShim
import Glibc

/// An owned file descriptor, closed when it goes out of scope. Every fd roost opens is
/// close-on-exec, so only stdio and preserved fds can cross into the container's process.
public struct FileDescriptor: ~Copyable {
    public let raw: Int32

    public init(adopting raw: Int32) { self.raw = raw }

    deinit { Glibc.close(raw) }

    /// Gives up ownership without closing.
    public consuming func release() -> Int32 {
        let r = raw
        discard self
        return r
    }

    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SyscallError) -> FileDescriptor {
        let fd = try sys("open", path) { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(adopting: fd)
    }

    public static func openat(_ dir: Int32, _ path: String, _ flags: Int32, mode: mode_t = 0, display: String? = nil)
        throws(SyscallError) -> FileDescriptor
    {
        let fd = try sys("open", display ?? path) { Glibc.openat(dir, path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(adopting: fd)
    }

    /// The path the kernel gives for this fd (`/proc/self/fd/N`), for mount(2) targets.
    public var procPath: String { "/proc/self/fd/\(raw)" }
}

public enum FileIO {
    /// Reads a whole file (small files: /proc entries, config.json, state).
    public static func read(_ path: String) throws(SyscallError) -> [UInt8] {
        let fd = try FileDescriptor.open(path, O_RDONLY)
        return try readAll(fd.raw, path)
    }

    public static func readAll(_ fd: Int32, _ what: String) throws(SyscallError) -> [UInt8] {
        var out: [UInt8] = []
        var st = stat()
        var cap = 4096
        if fstat(fd, &st) == 0, st.st_size > 0 { cap = Int(st.st_size) + 1 }
        out.reserveCapacity(cap)
        let size = max(cap, 4096)
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
        defer { buf.deallocate() }
        while true {
            let n = try sys("read", what) { Glibc.read(fd, buf, size) }
            if n == 0 { break }
            out.append(contentsOf: UnsafeRawBufferPointer(start: buf, count: n))
        }
        return out
    }

    public static func write(_ fd: Int32, _ bytes: some Collection<UInt8>, _ what: String) throws(SyscallError) {
        let data = Array(bytes)
        var off = 0
        while off < data.count {
            let n = try sys("write", what) { data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) } }
            off += n
        }
    }

    /// Writes `text` to an existing file (procfs/sysfs knobs: uid_map, oom_score_adj, sysctls).
    public static func writeExisting(_ path: String, _ text: String) throws(SyscallError) {
        let fd = try FileDescriptor.open(path, O_WRONLY)
        try write(fd.raw, Array(text.utf8), path)
    }

    /// Writes a file atomically: a temporary file beside it, fsync-free rename.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws(SyscallError) {
        let tmp = path + ".tmp"
        do {
            let fd = try FileDescriptor.open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
            try write(fd.raw, bytes, tmp)
        }
        try sys("rename", tmp) { Glibc.rename(tmp, path) }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}
