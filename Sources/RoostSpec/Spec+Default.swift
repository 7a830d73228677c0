// The starter config `runc spec` writes, reproduced from runc 1.5's
// libcontainer/specconv/example.go (Example and ToRootless) so `roost spec`
// output is byte-identical.

extension Spec {
    /// runc's `Example()`. runc adds the cgroup namespace only on a
    /// cgroup2-only host; the caller decides and passes `cgroupNamespace`.
    public static func runcDefault(cgroupNamespace: Bool) -> Spec {
        let capabilities = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        var namespaces: [Namespace] = [
            Namespace(type: .pid), Namespace(type: .network), Namespace(type: .ipc), Namespace(type: .uts),
            Namespace(type: .mount),
        ]
        if cgroupNamespace {
            namespaces.append(Namespace(type: .cgroup))
        }
        return Spec(
            ociVersion: Spec.version,
            process: Process(
                terminal: true,
                user: User(uid: 0, gid: 0),
                args: ["sh"],
                env: [
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "TERM=xterm",
                ],
                cwd: "/",
                capabilities: Capabilities(bounding: capabilities, effective: capabilities, permitted: capabilities),
                rlimits: [Rlimit(type: "RLIMIT_NOFILE", hard: 1024, soft: 1024)],
                noNewPrivileges: true
            ),
            root: Root(path: "rootfs", readonly: true),
            hostname: "runc",
            mounts: [
                Mount(destination: "/proc", type: "proc", source: "proc"),
                Mount(
                    destination: "/dev", type: "tmpfs", source: "tmpfs",
                    options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                Mount(
                    destination: "/dev/pts", type: "devpts", source: "devpts",
                    options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                Mount(
                    destination: "/dev/shm", type: "tmpfs", source: "shm",
                    options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                Mount(
                    destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
                    options: ["nosuid", "noexec", "nodev"]),
                Mount(
                    destination: "/sys", type: "sysfs", source: "sysfs",
                    options: ["nosuid", "noexec", "nodev", "ro"]),
                Mount(
                    destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
                    options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
            ],
            linux: Linux(
                resources: Resources(devices: [DeviceCgroup(allow: false, access: "rwm")]),
                namespaces: namespaces,
                maskedPaths: [
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                ],
                readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
            )
        )
    }

    /// `runc spec` with or without `--rootless`; `uid` and `gid` are the
    /// caller's effective ids, used only when rootless.
    public static func runcDefault(rootless: Bool, cgroupNamespace: Bool, uid: UInt32 = 0, gid: UInt32 = 0) -> Spec {
        let spec = runcDefault(cgroupNamespace: cgroupNamespace)
        return rootless ? spec.rootless(uid: uid, gid: gid) : spec
    }

    /// runc's `ToRootless`: a user namespace mapping root to the caller, no
    /// network namespace, /sys bind-mounted instead of a new sysfs, no uid=/gid=
    /// mount options, no cgroup resources.
    public func rootless(uid: UInt32, gid: UInt32) -> Spec {
        var spec = self
        var linux = spec.linux ?? Linux()
        var namespaces = (linux.namespaces ?? []).filter { $0.type != .network && $0.type != .user }
        namespaces.append(Namespace(type: .user))
        linux.namespaces = namespaces
        linux.uidMappings = [IDMapping(containerID: 0, hostID: uid, size: 1)]
        linux.gidMappings = [IDMapping(containerID: 0, hostID: gid, size: 1)]
        linux.resources = nil
        spec.linux = linux

        if let mounts = spec.mounts {
            spec.mounts = mounts.map { mount in
                if lexicallyClean(mount.destination) == "/sys" {
                    return Mount(
                        destination: "/sys", type: "none", source: "/sys",
                        options: ["rbind", "nosuid", "noexec", "nodev", "ro"])
                }
                var mount = mount
                let kept = (mount.options ?? []).filter { !$0.hasPrefix("gid=") && !$0.hasPrefix("uid=") }
                // Matches Go: the filtered slice is nil, hence omitted, when nothing is kept.
                mount.options = kept.isEmpty ? nil : kept
                return mount
            }
        }
        return spec
    }
}

/// Go's filepath.Clean for Unix paths: the shortest lexically equivalent path.
func lexicallyClean(_ path: String) -> String {
    if path.isEmpty { return "." }
    let rooted = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch part {
        case ".":
            continue
        case "..":
            if let last = parts.last, last != ".." {
                parts.removeLast()
            } else if !rooted {
                parts.append(part)
            }
        default:
            parts.append(part)
        }
    }
    let joined = parts.joined(separator: "/")
    if rooted { return "/" + joined }
    return joined.isEmpty ? "." : joined
}
