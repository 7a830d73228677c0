import Glibc
import RoostCgroups
import RoostLinux

/// A `cgroup` mount in the config. On a cgroup v1 host runc mounts a tmpfs and, under it, one mount
/// per hierarchy: a bind of the container's own cgroup directory, or, inside a cgroup namespace, the
/// hierarchy itself. On a cgroup2-only host it is one cgroup2 mount (or bind).
struct CgroupMount {
    let mount: PlannedMount
    /// Inside a cgroup namespace the hierarchies are mounted, not bound.
    let inNamespace: Bool
    /// The host's hierarchies, read by the parent before any mount of the container was made.
    let host: CgroupHierarchies

    struct Hierarchy {
        /// Where the host mounts it, e.g. /sys/fs/cgroup/cpu,cpuacct.
        var mountpoint: String
        /// The mount's options naming the controllers, e.g. "cpu,cpuacct" or "name=systemd".
        var controllers: String
        /// This process's cgroup in it, from /proc/self/cgroup.
        var path: String
    }

    /// Reads the host's cgroup mounts and this process's place in each; on a cgroup2-only host
    /// `v1` is empty and `unifiedPath` says where this process is.
    static func hierarchies() throws(SyscallError) -> CgroupHierarchies {
        let all = try CgroupV1.placement()
        let v1 = all.filter { !$0.controllers.isEmpty }.map { Hierarchy(mountpoint: $0.mountpoint, controllers: $0.controllers, path: $0.path) }
        return CgroupHierarchies(v1: v1, unifiedPath: all.first { $0.controllers.isEmpty }?.path, isV2Only: Host.isCgroup2Only)
    }

    func mount(in root: borrowing InRoot) throws {
        let (v1, unifiedPath, v2Only) = (host.v1, host.unifiedPath, host.isV2Only)
        let hardening: MountFlags = [.nosuid, .nodev, .noexec]
        let readonly = mount.flags.contains(.rdonly)
        if v2Only {
            let dest = try root.create(mount.destination, as: .directory)
            var bind = !inNamespace
            if inNamespace {
                do throws(SyscallError) {
                    try Mounts.mount("cgroup2", dest.procPath, type: "cgroup2", flags: mount.flags.union(hardening), display: mount.destination)
                } catch {
                    // matches runc's mountCgroupV2: in a user namespace the kernel may refuse a
                    // cgroup2 mount (EPERM, or EBUSY under a bound /sys); bind the container's
                    // cgroup (roost's own when it made none) instead.
                    guard error.errno == EPERM || error.errno == EBUSY else { throw error }
                    bind = true
                }
            }
            if bind {
                let source = "/sys/fs/cgroup" + (unifiedPath ?? "/")
                try Mounts.mount(source, dest.procPath, type: nil, flags: [.bind, .rec], display: mount.destination)
                let now = try root.open(mount.destination)
                try Mounts.mount(nil, now.procPath, type: nil, flags: mount.flags.union(hardening).union([.bind, .remount]), display: mount.destination)
            }
            return
        }
        let dest = try root.create(mount.destination, as: .directory)
        try Mounts.mount("tmpfs", dest.procPath, type: "tmpfs", flags: hardening, data: mount.tmpfsData, display: mount.destination)
        for h in v1 {
            let name = String(h.mountpoint.fields("/").last ?? "")
            let sub = mount.destination + "/" + name
            let target = try root.create(sub, as: .directory)
            if inNamespace {
                try Mounts.mount("cgroup", target.procPath, type: "cgroup", flags: mount.flags.union(hardening), data: h.controllers, display: sub)
            } else {
                try Mounts.mount(h.mountpoint + h.path, target.procPath, type: nil, flags: [.bind, .rec], display: sub)
                let now = try root.open(sub)
                var flags = hardening.union([.bind, .remount, .relatime])
                if readonly { flags.insert(.rdonly) }
                try Mounts.mount(nil, now.procPath, type: nil, flags: flags, display: sub)
            }
            // Co-mounted controllers (cpu,cpuacct) also answer to each name (matches runc).
            if name.contains(",") {
                for part in name.fields(",") where part != name {
                    try root.symlink(name, at: mount.destination + "/" + part)
                }
            }
        }
        // matches runc: the tmpfs itself stays writable; `ro` applies to the hierarchies.
    }
}

struct CgroupHierarchies {
    var v1: [CgroupMount.Hierarchy]
    var unifiedPath: String?
    var isV2Only: Bool
}
