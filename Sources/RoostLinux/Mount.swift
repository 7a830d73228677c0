import CRoostShim
import Glibc

/// mount_setattr(2) and fsmount(2) attributes (linux/mount.h's MOUNT_ATTR_*), typed.
public struct MountAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// MOUNT_ATTR_RDONLY
    public static let readOnly = MountAttributes(rawValue: 0x1)
    /// MOUNT_ATTR_NOSUID
    public static let noSuid = MountAttributes(rawValue: 0x2)
    /// MOUNT_ATTR_NODEV
    public static let noDev = MountAttributes(rawValue: 0x4)
    /// MOUNT_ATTR_NOEXEC
    public static let noExec = MountAttributes(rawValue: 0x8)
    /// MOUNT_ATTR_NOATIME (one of the atime modes)
    public static let noAtime = MountAttributes(rawValue: 0x10)
    /// MOUNT_ATTR_STRICTATIME (one of the atime modes)
    public static let strictAtime = MountAttributes(rawValue: 0x20)
    /// MOUNT_ATTR__ATIME: the bits of the atime mode; clearing them is MOUNT_ATTR_RELATIME (0).
    public static let atimeModes = MountAttributes(rawValue: 0x70)
    /// MOUNT_ATTR_NODIRATIME
    public static let noDiratime = MountAttributes(rawValue: 0x80)
    /// MOUNT_ATTR_IDMAP
    public static let idmap = MountAttributes(rawValue: 0x10_0000)
    /// MOUNT_ATTR_NOSYMFOLLOW
    public static let noSymfollow = MountAttributes(rawValue: 0x20_0000)
}

/// mount(2) flags (linux/mount.h), typed so option tables can name them.
public struct MountFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public static let rdonly = MountFlags(rawValue: 1)
    public static let nosuid = MountFlags(rawValue: 2)
    public static let nodev = MountFlags(rawValue: 4)
    public static let noexec = MountFlags(rawValue: 8)
    public static let synchronous = MountFlags(rawValue: 16)
    public static let remount = MountFlags(rawValue: 32)
    public static let mandlock = MountFlags(rawValue: 64)
    public static let dirsync = MountFlags(rawValue: 128)
    public static let nosymfollow = MountFlags(rawValue: 256)
    public static let noatime = MountFlags(rawValue: 1024)
    public static let nodiratime = MountFlags(rawValue: 2048)
    public static let bind = MountFlags(rawValue: 4096)
    public static let move = MountFlags(rawValue: 8192)
    public static let rec = MountFlags(rawValue: 16384)
    public static let silent = MountFlags(rawValue: 32768)
    public static let unbindable = MountFlags(rawValue: 1 << 17)
    public static let `private` = MountFlags(rawValue: 1 << 18)
    public static let slave = MountFlags(rawValue: 1 << 19)
    public static let shared = MountFlags(rawValue: 1 << 20)
    public static let relatime = MountFlags(rawValue: 1 << 21)
    public static let iversion = MountFlags(rawValue: 1 << 23)
    public static let strictatime = MountFlags(rawValue: 1 << 24)
    public static let lazytime = MountFlags(rawValue: 1 << 25)

    public static let propagation: MountFlags = [.unbindable, .private, .slave, .shared]
    /// The per-mount flags a bind remount must keep (the kernel refuses to drop locked ones).
    public static let perMount: MountFlags = [.rdonly, .nosuid, .nodev, .noexec, .noatime, .nodiratime, .relatime, .strictatime, .nosymfollow]
}

public enum Mounts {
    /// Wraps mount(2). `display` names the target in errors (the in-container path, not /proc/self/fd/N).
    public static func mount(
        _ source: String?, _ target: String, type: String?, flags: MountFlags, data: String? = nil, display: String? = nil
    ) throws(SyscallError) {
        let r = Glibc.mount(source, target, type, flags.rawValue, data)
        if r != 0 {
            let what = "\(source ?? type ?? "none") on \(display ?? target)" + (type.map { " (type \($0))" } ?? "")
            throw SyscallError("mount", what)
        }
    }

    public static func unmount(_ target: String, flags: Int32 = 0) throws(SyscallError) {
        try sys("umount", target) { Glibc.umount2(target, flags) }
    }

    /// The per-mount flags a mount currently has (statvfs f_flag uses the same bits as MS_*).
    public static func currentFlags(_ path: String) -> MountFlags {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return [] }
        return MountFlags(rawValue: st.f_flag).intersection(.perMount)
    }

    /// Wraps mount_setattr(2): sets and clears MOUNT_ATTR_* bits, recursively if asked.
    public static func setAttributes(_ fd: Int32, set: MountAttributes, clear: MountAttributes, recursive: Bool, display: String) throws(SyscallError) {
        let flags = UInt32(ROOST_AT_EMPTY_PATH) | (recursive ? ROOST_AT_RECURSIVE : 0)
        try sys("mount_setattr", display) { roost_mount_setattr(fd, "", flags, set.rawValue, clear.rawValue) }
    }

    public static func pivotRoot(_ new: String, _ old: String) throws(SyscallError) {
        try sys("pivot_root", new) { roost_pivot_root(new, old) }
    }
}
