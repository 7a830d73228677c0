import Glibc
import RoostCgroups
import RoostLinux

/// What building a plan asks of the host: whether roost is root, files and descriptors, the
/// kernel's namespaces, the security modules, the cgroups. Injected, so a plan can be built and
/// checked in unit tests without root or this host's state; `LiveHost` asks the kernel.
protocol HostProbe {
    var isRoot: Bool { get }
    /// Whether `fd` is open in this process.
    func isOpen(_ fd: Int32) -> Bool
    /// The file type (the S_IFMT bits) of `path`, following symlinks; nil when there is none.
    func fileType(_ path: String) -> mode_t?
    func hasNamespace(_ kind: NamespaceKind) -> Bool
    var selinuxEnabled: Bool { get }
    var apparmorEnabled: Bool { get }
    var cgroupMode: Cgroup.Mode { get }
    /// The container's cgroup driver for `cgroupsPath` (see Cgroup.driver).
    func cgroupDriver(cgroupsPath: String?, id: String, systemd: Bool) throws -> any CgroupDriver
    /// The host's cgroup hierarchies and where roost sits in them, for the container's
    /// /sys/fs/cgroup.
    func cgroupHierarchies() throws(SyscallError) -> CgroupHierarchies
}

/// The running host.
struct LiveHost: HostProbe {
    var isRoot: Bool { geteuid() == 0 }
    func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) >= 0 }
    func fileType(_ path: String) -> mode_t? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & S_IFMT : nil
    }
    func hasNamespace(_ kind: NamespaceKind) -> Bool { kind.isAvailable }
    var selinuxEnabled: Bool { SELinux.isEnabled }
    var apparmorEnabled: Bool { AppArmor.isEnabled }
    var cgroupMode: Cgroup.Mode { Cgroup.host }
    func cgroupDriver(cgroupsPath: String?, id: String, systemd: Bool) throws -> any CgroupDriver {
        try Cgroup.driver(cgroupsPath: cgroupsPath, id: id, systemd: systemd)
    }
    func cgroupHierarchies() throws(SyscallError) -> CgroupHierarchies { try CgroupMount.hierarchies() }
}
