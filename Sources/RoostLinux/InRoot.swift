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
        let fd = openat2(root.raw, path, flags: flags | O_CLOEXEC, resolve: Self.resolve)
        if fd < 0 { throw SyscallError("open", path) }
        return FileDescriptor(adopting: fd)
    }

    public func exists(_ path: String) -> Bool {
        let fd = openat2(root.raw, path, flags: ROOST_O_PATH | O_CLOEXEC, resolve: Self.resolve)
        if fd < 0 { return false }
        close(fd)
        return true
    }

    public enum Kind { case directory, file }

    /// Opens `path`, creating missing directories on the way and the last component as `kind`
    /// (runc's createIfNotExists). Symlinks on the way are first resolved inside the root, so a
    /// dangling `/evil -> /tmp/x` makes `/tmp/x` inside the root, never on the host; the
    /// components are then created one by one with symlinks refused.
    public func create(_ path: String, as kind: Kind, mode: mode_t = 0o755) throws(SyscallError) -> FileDescriptor {
        if let fd = try? open(path) { return fd }
        let parts = try resolve(path)
        var prefix = ""
        for (i, name) in parts.enumerated() {
            let parentPath = prefix.isEmpty ? "/" : prefix
            prefix += "/" + name
            if exists(prefix) { continue }
            let parent = try openBeneath(parentPath)
            if i == parts.count - 1 && kind == .file {
                let fd = openat(parent.raw, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o644)
                if fd < 0 && errno != EEXIST { throw SyscallError("create", prefix) }
                if fd >= 0 { close(fd) }
            } else if mkdirat(parent.raw, name, mode) != 0 && errno != EEXIST {
                throw SyscallError("mkdir", prefix)
            }
        }
        return try open(path)
    }

    /// The components of `path` with every symlink replaced by its target, `..` clamped at the
    /// root: the path `path` names when the root is `/` (securejoin's rule).
    public func resolve(_ path: String) throws(SyscallError) -> [String] {
        var pending = path.fields("/").map(String.init)
        var current: [String] = []
        var links = 0
        while !pending.isEmpty {
            let c = pending.removeFirst()
            if c == "." || c.isEmpty { continue }
            if c == ".." { _ = current.popLast(); continue }
            guard let target = readlink(in: current, c) else { current.append(c); continue }
            links += 1
            if links > 255 { throw SyscallError("resolve", path, errno: ELOOP) }
            if target.hasPrefix("/") { current = [] }
            pending = target.fields("/").map(String.init) + pending
        }
        return current
    }

    /// The target of `dir/name` if it is a symlink; nil if it is not, or `dir` does not exist.
    private func readlink(in dir: [String], _ name: String) -> String? {
        guard let parent = try? openBeneath("/" + dir.joined(separator: "/")) else { return nil }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(parent.raw, name, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens an already-resolved directory path below the root, refusing any symlink on the way.
    private func openBeneath(_ path: String) throws(SyscallError) -> FileDescriptor {
        let rel = path.fields("/").joined(separator: "/")
        let fd = openat2(root.raw, rel.isEmpty ? "." : rel, flags: ROOST_O_PATH | O_DIRECTORY | O_CLOEXEC,
            resolve: ROOST_RESOLVE_BENEATH | ROOST_RESOLVE_NO_SYMLINKS)
        if fd < 0 { throw SyscallError("open", path) }
        return FileDescriptor(adopting: fd)
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

    /// `path` as an absolute path, lexically: empty and "." components dropped, each ".."
    /// taking one back but never above "/" (Go's path.Clean of "/" + path). No file is looked at.
    public static func clean(_ path: String) -> String {
        var parts: [Substring] = []
        for c in path.fields("/") where c != "." {
            if c == ".." { _ = parts.popLast() } else { parts.append(c) }
        }
        return "/" + parts.joined(separator: "/")
    }

    public static func split(_ path: String) -> (String, String) {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return ("/", String(p)) }
        let parent = p[..<slash]
        return (parent.isEmpty ? "/" : String(parent), String(p[p.index(after: slash)...]))
    }
}
