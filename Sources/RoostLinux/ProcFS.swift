import CRoostShim
import Glibc

/// Writes to procfs files that a container's mounts could have covered (CVE-2025-52881): the
/// sysctls, AppArmor's and SELinux's attr files, written while /proc is the container's. A path
/// is opened below a /proc verified to be a procfs root (its type and inode 1), and openat2
/// refuses to cross into any other mount on the way (RESOLVE_NO_XDEV) or follow a magic link:
/// a bind mount over /proc/sys/..., or over /proc/self/attr, makes the write fail, never land in
/// the file the bind put there.
public enum ProcFS {
    static let rootInode: UInt = 1

    /// Writes `text` to /proc/`relative` (e.g. "sys/kernel/ns_last_pid", "thread-self/attr/exec").
    public static func write(_ relative: String, _ text: String) throws(SyscallError) {
        let root = try FileDescriptor.open("/proc", ROOST_O_PATH | O_DIRECTORY | O_NOFOLLOW)
        var st = stat()
        guard FileSystemType.of(fd: root.raw) == .proc, fstat(root.raw, &st) == 0, UInt(st.st_ino) == rootInode else {
            throw SyscallError("open", "/proc (unsafe procfs: not the root of a procfs)", errno: EXDEV)
        }
        let fd = openat2(
            root.raw, relative, flags: O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
            resolve: ROOST_RESOLVE_BENEATH | ROOST_RESOLVE_NO_XDEV | ROOST_RESOLVE_NO_MAGICLINKS)
        if fd < 0 {
            let e = errno
            throw SyscallError("open", "/proc/\(relative)" + (e == EXDEV ? " (unsafe procfs: another mount covers it)" : ""), errno: e)
        }
        let file = FileDescriptor(adopting: fd)
        // One write of the whole value: attr files take no partial writes, and an empty value
        // is a zero-length write, which clears the attribute.
        let bytes = Array(text.utf8)
        let n = try sys("write", "/proc/\(relative)") { bytes.withUnsafeBytes { Glibc.write(file.raw, $0.baseAddress, $0.count) } }
        if n != bytes.count { throw SyscallError("write", "/proc/\(relative) (short write)", errno: EIO) }
    }
}
