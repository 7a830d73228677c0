import CRoostShim

/// Which filesystem a path or descriptor is on: statfs(2)'s f_type, the magic numbers of
/// linux/magic.h (sys/vfs.h is not in Swift's Glibc module, so the shim reads it).
public struct FileSystemType: RawRepresentable, Equatable, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// PROC_SUPER_MAGIC
    public static let proc = FileSystemType(rawValue: 0x9fa0)
    /// CGROUP2_SUPER_MAGIC
    public static let cgroup2 = FileSystemType(rawValue: 0x6367_7270)
    /// DEVPTS_SUPER_MAGIC
    public static let devpts = FileSystemType(rawValue: 0x1cd1)
    /// SELINUX_MAGIC
    public static let selinuxfs = FileSystemType(rawValue: 0xf97c_ff8c)

    /// The filesystem `path` is on (following symlinks); nil when statfs fails.
    public static func of(_ path: String) -> FileSystemType? {
        let t = roost_statfs_type(path)
        return t < 0 ? nil : FileSystemType(rawValue: t)
    }

    /// The filesystem the open `fd` is on; nil when fstatfs fails.
    public static func of(fd: Int32) -> FileSystemType? {
        let t = roost_fstatfs_type(fd)
        return t < 0 ? nil : FileSystemType(rawValue: t)
    }
}
