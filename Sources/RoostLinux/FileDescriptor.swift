import CRoostShim
import Glibc

/// An owned file descriptor, closed when it goes out of scope. Every fd roost opens is
/// close-on-exec, so only stdio and preserved fds can cross into the container's process.
public struct FileDescriptor: ~Copyable {
    /// The descriptor's number; -1 once `close` closed it.
    public private(set) var raw: Int32

    public init(adopting raw: Int32) { self.raw = raw }

    deinit { if raw >= 0 { Glibc.close(raw) } }

    /// Closes it now rather than when it goes.
    public mutating func close() {
        if raw >= 0 { Glibc.close(raw) }
        raw = -1
    }

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

/// openat2(2), retried where the kernel asks for it: with RESOLVE_IN_ROOT or RESOLVE_BENEATH it
/// fails with EAGAIN when a rename or mount anywhere on the system raced a `..` it resolved (it
/// cannot then tell an escape from a coincidence); the caller "may choose to retry" (openat2(2)),
/// and on a busy host (the test VM, many containers at once) that happens. Returns the fd or -1
/// with errno set, as the syscall.
public func openat2(_ dir: Int32, _ path: String, flags: Int32, mode: UInt64 = 0, resolve: UInt64) -> Int32 {
    for _ in 0..<128 {
        let fd = roost_openat2(dir, path, UInt64(flags), mode, resolve)
        if fd >= 0 || (errno != EAGAIN && errno != EINTR) { return fd }
    }
    return roost_openat2(dir, path, UInt64(flags), mode, resolve)
}

public enum FileIO {
    /// The most roost reads of one file: config.json, process.json, its state files, the
    /// container's /etc/passwd. Anything a bundle or a container controls could otherwise be a
    /// symlink to /dev/zero, or gigabytes, and make roost allocate without end.
    public static let limit = 16 << 20

    /// Reads a whole file of at most `limit` bytes (EFBIG beyond). Opened non-blocking, so a
    /// fifo put where a file belongs cannot hang roost.
    public static func read(_ path: String, limit: Int = FileIO.limit) throws(SyscallError) -> [UInt8] {
        let fd = try FileDescriptor.open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY)
        return try readAll(fd.raw, path, limit: limit)
    }

    public static func readAll(_ fd: Int32, _ what: String, limit: Int = FileIO.limit) throws(SyscallError) -> [UInt8] {
        var out: [UInt8] = []
        var st = stat()
        var cap = 4096
        if fstat(fd, &st) == 0, st.st_size > 0 {
            if (st.st_mode & S_IFMT) == S_IFREG && Int(st.st_size) > limit { throw SyscallError("read", what, errno: EFBIG) }
            cap = Int(st.st_size) + 1
        }
        out.reserveCapacity(min(cap, limit + 1))
        let size = min(max(cap, 4096), 1 << 20)
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
        defer { buf.deallocate() }
        while true {
            let n = try sys("read", what) { Glibc.read(fd, buf, min(size, limit + 1 - out.count)) }
            if n == 0 { break }
            out.append(contentsOf: UnsafeRawBufferPointer(start: buf, count: n))
            if out.count > limit { throw SyscallError("read", what, errno: EFBIG) }
        }
        return out
    }

    /// "File too large (more than 16 MiB)" for EFBIG from `read`, strerror otherwise.
    public static func describe(_ errno: Int32) -> String {
        String(cString: strerror(errno)) + (errno == EFBIG ? " (roost reads at most \(limit >> 20) MiB)" : "")
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

    /// The entries of the directory `path` (not "." and ".."), each with whether readdir says it
    /// is a directory; nil when the directory cannot be opened (errno says why).
    public static func entries(_ path: String) -> [(name: String, isDirectory: Bool)]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var out: [(name: String, isDirectory: Bool)] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { out.append((name, e.pointee.d_type == DT_DIR)) }
        }
        return out
    }

    /// dev_t from a device's major and minor numbers (makedev(3), a macro).
    public static func deviceNumber(major: UInt32, minor: UInt32) -> dev_t { dev_t(roost_makedev(major, minor)) }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
}

/// Descriptors owned together, closed when the list goes (Swift's Array cannot hold the
/// non-copyable FileDescriptor yet).
public struct FileDescriptors: ~Copyable {
    public private(set) var raws: [Int32] = []

    public init() {}

    deinit { for fd in raws where fd >= 0 { Glibc.close(fd) } }

    /// Takes `fd` over; one whose raw is -1 holds a place and closes nothing.
    public mutating func append(_ fd: consuming FileDescriptor) { raws.append(fd.release()) }

    public var count: Int { raws.count }

    /// Closes the `i`th now (its slot then holds -1).
    public mutating func close(_ i: Int) {
        if raws[i] >= 0 { Glibc.close(raws[i]) }
        raws[i] = -1
    }
}

/// open(2) flags Swift's Glibc module hides without _GNU_SOURCE.
public enum OpenFlags {
    /// O_PATH: a descriptor that names a file without opening it for reading or writing.
    public static let pathOnly: Int32 = ROOST_O_PATH
}

public enum FDTable {
    /// Makes `uid` the owner of what stdin, stdout and stderr are, so a process that is not
    /// root can use its terminal (runc's fixStdioPermissions): not /dev/null, not what `uid`
    /// owns already, and not where the kernel refuses (EPERM: an owner unmapped in a user
    /// namespace; EROFS: a read-only /dev). The group stays (devpts gives ptys group tty).
    public static func giveStdio(to uid: UInt32) throws(SyscallError) {
        for fd: Int32 in 0...2 {
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                if errno == EBADF { continue }  // not open: nothing to give
                throw SyscallError("fstat", "fd \(fd)")
            }
            let isDevNull = (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == FileIO.deviceNumber(major: 1, minor: 3)
            if st.st_uid == uid || isDevNull { continue }
            if fchown(fd, uid, UInt32.max) != 0 && errno != EPERM && errno != EROFS {
                throw SyscallError("fchown", "fd \(fd)")
            }
        }
    }

    /// Marks every descriptor from `first` up close-on-exec: only stdio and the ones below
    /// `first` cross execve. close_range(2) with CLOSE_RANGE_CLOEXEC, else (a kernel before 5.11,
    /// or a seccomp profile that refuses it) one fcntl per descriptor in /proc/self/fd, as runc's
    /// CloseExecFrom.
    public static func closeOnExec(from first: Int32) throws(SyscallError) {
        if roost_close_range(UInt32(first), UInt32.max, ROOST_CLOSE_RANGE_CLOEXEC) == 0 { return }
        // Listed first: the listing's own fd is closed by then (its fcntl fails and is skipped).
        guard let entries = FileIO.entries("/proc/self/fd") else { throw SyscallError("opendir", "/proc/self/fd") }
        for entry in entries {
            guard let fd = Int32(entry.name), fd >= first else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0 { throw SyscallError("fcntl(F_SETFD)", "fd \(fd)") }
        }
    }

    /// Closes every descriptor from `first` up that is not in `keep`, with one close_range(2) per
    /// gap. roost's clones call it first thing: what the parent held (the caller's stray fds, its
    /// lock, cgroup and state directories) must not be reachable through /proc/PID/fd once a
    /// process of the container can see the clone (docs/SECURITY.md).
    public static func closeAll(from first: Int32, except keep: [Int32]) {
        var next = UInt32(first)
        for fd in keep.filter({ $0 >= first }).sorted() {
            let k = UInt32(fd)
            if k > next { _ = roost_close_range(next, k - 1, 0) }
            next = max(next, k + 1)
        }
        _ = roost_close_range(next, UInt32.max, 0)
    }

}
