import CRoostShim
import Glibc

/// roost's own binary, made unwritable for its clones (CVE-2019-5736; docs/SECURITY.md).
///
/// init and the exec child are clones of roost: until their execve, /proc/PID/exe is roost's
/// binary. They are not dumpable, which keeps that link from every process without CAP_SYS_PTRACE
/// over the host's user namespace. Where a process that may hold it could see a clone, roost first
/// re-executes itself from a file nobody can write, as runc does: the binary seen through a
/// detached overlay with two lower layers and no upper one (read-only in the superblock, which no
/// remount can change, and attached nowhere a container could reach), else a sealed memfd copy.
public enum ExeSeal {
    /// /proc/self/exe cannot be opened for writing by anyone: it is on a read-only mount or
    /// superblock (the sealed overlay, or an install on a read-only /usr), or a sealed memfd.
    public static var isSealed: Bool {
        let flags = roost_statfs_flags("/proc/self/exe")
        if flags >= 0 && flags & 1 != 0 { return true }  // ST_RDONLY
        let fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let seals = fcntl(fd, ROOST_F_GET_SEALS)
        return seals >= 0 && seals & ROOST_SEALS_ALL == ROOST_SEALS_ALL
    }

    /// Re-executes this process, same argv and environment, from a sealed view of its binary.
    /// `spareLayer` is any existing directory (not the binary's own, nor one above it): overlayfs
    /// wants two lower layers to mount without an upper one. Returns only when neither way works.
    public static func reexec(spareLayer: String) -> SyscallError {
        let exe: Int32
        do throws(SyscallError) { exe = try overlay(spareLayer: spareLayer) } catch {
            do throws(SyscallError) { exe = try memfdCopy() } catch let second {
                return SyscallError(second.call, "\(second.object ?? "") (after \(error))", errno: second.errno)
            }
        }
        let argv = CommandLine.arguments.map { strdup($0) } + [nil]
        roost_execveat_fd(exe, argv)
        let e = SyscallError("execveat", "the sealed roost binary")
        close(exe)
        return e
    }

    /// The binary through a detached overlay: lowerdir=<its directory>:<spareLayer>, read-only,
    /// nodev, nosuid. The binary's directory is the upper of the two, so nothing in the spare
    /// layer can stand in for it.
    static func overlay(spareLayer: String) throws(SyscallError) -> Int32 {
        var path = try readlinkText("/proc/self/exe")
        if path.hasSuffix(" (deleted)") { throw SyscallError("readlink", "/proc/self/exe: \(path)", errno: ENOENT) }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { throw SyscallError("readlink", "/proc/self/exe: \(path)", errno: EINVAL) }
        let dir = slash == path.startIndex ? "/" : String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        let fs = roost_fsopen("overlay", ROOST_FSOPEN_CLOEXEC)
        if fs < 0 { throw SyscallError("fsopen", "overlay") }
        defer { close(fs) }
        let lower = escape(dir) + ":" + escape(spareLayer)
        if roost_fsconfig_string(fs, "lowerdir", lower) != 0 { throw SyscallError("fsconfig", "overlay lowerdir=\(lower)") }
        _ = roost_fsconfig_string(fs, "xino", "off")
        if roost_fsconfig_create(fs) != 0 { throw SyscallError("fsconfig", "create overlay lowerdir=\(lower)") }
        let mnt = roost_fsmount(fs, ROOST_FSMOUNT_CLOEXEC, UInt32(MountAttributes([.readOnly, .noDev, .noSuid]).rawValue))
        if mnt < 0 { throw SyscallError("fsmount", "overlay lowerdir=\(lower)") }
        defer { close(mnt) }
        let fd = openat(mnt, name, ROOST_O_PATH | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { throw SyscallError("open", "\(name) in the overlay lowerdir=\(lower)") }
        return fd
    }

    /// A memfd copy of the binary, sealed against every change (where overlayfs is missing).
    static func memfdCopy() throws(SyscallError) -> Int32 {
        let src = try FileDescriptor.open("/proc/self/exe", O_RDONLY)
        let fd = roost_memfd_create("roost:sealed-exe", ROOST_MFD_CLOEXEC | ROOST_MFD_ALLOW_SEALING)
        if fd < 0 { throw SyscallError("memfd_create", "roost:sealed-exe") }
        do throws(SyscallError) {
            let size = 1 << 20
            let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            defer { buf.deallocate() }
            while true {
                let n = try sys("read", "/proc/self/exe") { read(src.raw, buf, size) }
                if n == 0 { break }
                try FileIO.write(fd, UnsafeRawBufferPointer(start: buf, count: n), "memfd copy of /proc/self/exe")
            }
            try sys("fchmod", "memfd copy") { fchmod(fd, 0o511) }
            try sys("fcntl(F_ADD_SEALS)", "memfd copy") { fcntl(fd, ROOST_F_ADD_SEALS, ROOST_SEALS_ALL) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// overlayfs's lowerdir takes `:` as its separator and `\` as escape.
    static func escape(_ path: String) -> String {
        var out = ""
        for c in path {
            if c == "\\" || c == ":" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    static func readlinkText(_ path: String) throws(SyscallError) -> String {
        var buf = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buf.withUnsafeMutableBytes { Glibc.readlink(path, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1) }
        if n < 0 { throw SyscallError("readlink", path) }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }
}
