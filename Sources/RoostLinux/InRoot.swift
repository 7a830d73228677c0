import CRoostShim
import Glibc

/// Paths resolved inside a root directory, never outside it.
///
/// Guarantee: every lookup goes through openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
/// so `..` and absolute or relative symlinks are resolved as if the root were `/`; a symlink in the
/// container's filesystem can never lead a mount, mknod or mkdir onto the host. The result is an fd;
/// callers act on `/proc/self/fd/N`, never on a re-resolved string.
public struct InRoot: ~Copyable {
    public let root: FileDescriptor
    /// The root as a host path, for messages only.
    public let display: String

    public init(path: String) throws(SyscallError) {
        root = try FileDescriptor.open(path, ROOST_O_PATH | O_DIRECTORY)
        display = path
    }

    static let resolve = ROOST_RESOLVE_IN_ROOT | ROOST_RESOLVE_NO_MAGICLINKS

    /// Opens `path` (absolute inside the root) as ROOST_O_PATH, following symlinks inside the root.
    public func open(_ path: String, flags: Int32 = ROOST_O_PATH) throws(SyscallError) -> FileDescriptor {
        let fd = roost_openat2(root.raw, path, UInt64(flags | O_CLOEXEC), 0, Self.resolve)
        if fd < 0 { throw SyscallError("open", path) }
        return FileDescriptor(adopting: fd)
    }

    public func exists(_ path: String) -> Bool {
        let fd = roost_openat2(root.raw, path, UInt64(ROOST_O_PATH | O_CLOEXEC), 0, Self.resolve)
        if fd < 0 { return false }
        close(fd)
        return true
    }

    public enum Kind { case directory, file }

    /// Opens `path`, creating missing directories on the way and the last component as `kind`
    /// (runc's createIfNotExists, done one component at a time inside the root).
    public func create(_ path: String, as kind: Kind, mode: mode_t = 0o755) throws(SyscallError) -> FileDescriptor {
        if let fd = try? open(path) { return fd }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = ""
        for (i, part) in parts.enumerated() {
            let parentPath = prefix.isEmpty ? "/" : prefix
            prefix += "/" + part
            if exists(prefix) { continue }
            let parent = try open(parentPath, flags: ROOST_O_PATH | O_DIRECTORY)
            let name = String(part)
            let last = i == parts.count - 1
            if last && kind == .file {
                let fd = openat(parent.raw, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o644)
                if fd < 0 && errno != EEXIST { throw SyscallError("create", prefix) }
                if fd >= 0 { close(fd) }
            } else if mkdirat(parent.raw, name, mode) != 0 && errno != EEXIST {
                throw SyscallError("mkdir", prefix)
            }
        }
        return try open(path)
    }

    /// mknod inside the root (the parent resolved in-root, the name created without following).
    public func mknod(_ path: String, mode: mode_t, dev: UInt64) throws(SyscallError) {
        let (parentPath, name) = Self.split(path)
        let parent = try create(parentPath, as: .directory)
        if mknodat(parent.raw, name, mode, dev_t(dev)) != 0 && errno != EEXIST { throw SyscallError("mknod", path) }
    }

    /// symlink inside the root; an existing entry is left alone (matches runc's /dev symlinks).
    public func symlink(_ target: String, at path: String) throws(SyscallError) {
        let (parentPath, name) = Self.split(path)
        let parent = try create(parentPath, as: .directory)
        if symlinkat(target, parent.raw, name) != 0 && errno != EEXIST { throw SyscallError("symlink", path) }
    }

    public static func split(_ path: String) -> (String, String) {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return ("/", String(p)) }
        let parent = p[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(p[p.index(after: slash)...]))
    }
}
