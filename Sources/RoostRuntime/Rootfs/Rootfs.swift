import Glibc
import RoostLinux

/// Builds the container's root filesystem inside its new mount namespace, then enters it.
/// Order (runc's): propagation of `/` → private parent of the rootfs → bind of the rootfs onto
/// itself → the config's mounts in order → /dev nodes and symlinks → pivot_root (or MS_MOVE+chroot).
/// Every destination is resolved inside the rootfs (InRoot), never through a host symlink.
struct Rootfs {
    let plan: ContainerPlan

    func prepare() throws {
        let rootfs = plan.rootfs
        try step("make / \(plan.rootPropagationExplicit ? "use linux.rootfsPropagation" : "rslave")") {
            try Mounts.mount(nil, "/", type: nil, flags: plan.rootPropagation)
        }
        try step("make the rootfs's parent mount private") { try makeParentPrivate(rootfs) }
        try step("bind the rootfs \(rootfs) onto itself") {
            try Mounts.mount(rootfs, rootfs, type: nil, flags: [.bind, .rec])
        }
        let root = try step("open the rootfs \(rootfs)") { try InRoot(path: rootfs) }
        let devFromHost = plan.mounts.contains { $0.destination == "/dev" && $0.kind == .bind }
        for m in plan.mounts {
            try step("\(m.where_) (\(m.type.isEmpty ? "bind" : m.type) on \(m.destination))") { try mount(m, in: root) }
        }
        if !devFromHost {
            try step("create devices") { try createDevices(in: root) }
        }
        // matches runc: a missing cwd is made now, while the root is still writable.
        try step("process.cwd \(plan.process.cwd)") { _ = try root.create(plan.process.cwd, as: .directory) }
    }

    /// pivot_root requires the new root's parent mount not to be shared: make the nearest mount
    /// point at or above the rootfs private (matches runc's rootfsParentMountPrivate).
    private func makeParentPrivate(_ rootfs: String) throws {
        var path = rootfs
        while true {
            if Glibc.mount(nil, path, nil, MountFlags.private.rawValue, nil) == 0 { return }
            guard errno == EINVAL, path != "/" else { throw SyscallError("mount --make-private", path) }
            path = InRoot.split(path).0
        }
    }

    private func mount(_ m: PlannedMount, in root: borrowing InRoot) throws {
        if m.kind != .cgroup { try checkProcMount(m, in: root) }
        switch m.kind {
        case .bind: try bind(m, in: root)
        case .cgroup: guard let host = plan.cgroupHierarchies else { throw InitFailure(step: "cgroup mount", detail: "no cgroup hierarchies planned") }
            try CgroupMount(mount: m, inNamespace: plan.hasCgroupNamespace, host: host).mount(in: root)
        case .filesystem:
            let data = m.type == "tmpfs" ? tmpfsData(m, in: root) : m.data
            let dest = try root.create(m.destination, as: .directory)
            let flags = m.readonlyLater ? m.flags.subtracting(.rdonly) : m.flags
            try Mounts.mount(m.source, dest.procPath, type: m.type, flags: flags, data: data.isEmpty ? nil : data, display: m.destination)
            // mqueue takes no `context=`: its root is labelled once mounted (matches runc).
            if let label = m.fileLabel {
                let now = try root.open(m.destination)
                try SELinux.setFileLabel(now.procPath, label, display: m.destination + " (linux.mountLabel)")
            }
        }
        try applyPropagationAndAttributes(m, in: root)
    }

    /// matches runc 1.5: a tmpfs over a directory that exists takes that directory's mode (a
    /// `mode=` in the options, coming after, still wins); over nothing, tmpfs's own 1777.
    private func tmpfsData(_ m: PlannedMount, in root: borrowing InRoot) -> String {
        guard let existing = try? root.open(m.destination) else { return m.data }
        var st = stat()
        guard fstat(existing.raw, &st) == 0 else { return m.data }
        let mode = "mode=0" + String(st.st_mode & 0o7777, radix: 8)
        return m.data.isEmpty ? mode : mode + "," + m.data
    }

    /// Files under /proc a mount may cover (lxcfs's, as runc allows).
    static let procFilesAllowed: Set<String> = [
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps", "/proc/uptime", "/proc/loadavg",
        "/proc/slabinfo", "/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
    ]

    /// CVE-2019-16884 (runc's checkProcMount): /proc takes only a procfs, and below it only
    /// lxcfs's files may be covered; anything else could take roost's writes to /proc (sysctls,
    /// the LSM attr files) or uncover masked paths. proc and sysfs go on an ordinary directory,
    /// not through a symlink. Destinations are compared as resolved inside the root.
    private func checkProcMount(_ m: PlannedMount, in root: borrowing InRoot) throws {
        let lexical = InRoot.clean(m.destination)
        let resolved = "/" + (try root.resolve(m.destination)).joined(separator: "/")
        if (m.type == "proc" || m.type == "sysfs") && m.kind == .filesystem && resolved != lexical {
            throw InitFailure(step: m.where_, detail: "filesystem \"\(m.destination)\" must be mounted on ordinary directory (it leads to \(resolved))")
        }
        guard resolved == "/proc" || resolved.hasPrefix("/proc/") else { return }
        if resolved == "/proc" {
            if m.kind == .filesystem && m.type == "proc" { return }
            if m.kind == .bind && FileSystemType.of(m.source) == .proc { return }
            throw InitFailure(step: m.where_, detail: "\"\(m.destination)\" cannot be mounted because it is not of type proc")
        }
        if Self.procFilesAllowed.contains(resolved) { return }
        throw InitFailure(step: m.where_, detail: "\"\(m.destination)\" cannot be mounted because it is inside /proc")
    }

    private func bind(_ m: PlannedMount, in root: borrowing InRoot) throws {
        let dest = try root.create(m.destination, as: m.sourceIsDirectory ? .directory : .file)
        try Mounts.mount(m.source, dest.procPath, type: nil, flags: m.flags.intersection([.bind, .rec]), display: m.destination)
        // A bind mount ignores every flag but MS_BIND|MS_REC; the rest take a (non-recursive)
        // remount, which also clears what was asked to be cleared (matches runc).
        if m.remount {
            let now = try root.open(m.destination)
            var flags = m.flags.subtracting([.rec]).union([.bind, .remount])
            // Flags the kernel locked on the source (in a user namespace) must be kept.
            if plan.createsUserNamespace { flags.formUnion(Mounts.currentFlags(now.procPath).intersection([.nosuid, .nodev, .noexec])) }
            try Mounts.mount(nil, now.procPath, type: nil, flags: flags, display: m.destination)
        }
    }

    private func applyPropagationAndAttributes(_ m: PlannedMount, in root: borrowing InRoot) throws {
        if m.propagation.isEmpty && m.recursiveSet.isEmpty && m.recursiveClear.isEmpty { return }
        let now = try root.open(m.destination)
        for p in m.propagation {
            try Mounts.mount(nil, now.procPath, type: nil, flags: p, display: m.destination)
        }
        if !m.recursiveSet.isEmpty || !m.recursiveClear.isEmpty {
            try Mounts.setAttributes(now.raw, set: m.recursiveSet, clear: m.recursiveClear, recursive: true, display: m.destination)
        }
    }

    /// Device nodes: mknod where the kernel lets us; inside a user namespace mknod is refused, so
    /// bind the host's node instead (matches runc).
    private func createDevices(in root: borrowing InRoot) throws {
        for d in plan.devices {
            if plan.createsUserNamespace {
                let dest = try root.create(d.path, as: .file)
                try Mounts.mount(d.path, dest.procPath, type: nil, flags: .bind, display: d.path)
                continue
            }
            if d.path == "/dev/ptmx" { continue }
            let (parent, name) = InRoot.split(d.path)
            let dir = try root.create(parent, as: .directory)
            // matches runc: a node that already exists is kept as it is.
            if mknodat(dir.raw, name, d.mode, FileIO.deviceNumber(major: d.major, minor: d.minor)) != 0 {
                if errno == EEXIST { continue }
                throw SyscallError("mknod", d.path)
            }
            try sys("chown", d.path) { fchownat(dir.raw, name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW) }
        }
        let links: [(String, String)] = [
            ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
            ("/proc/self/fd/2", "/dev/stderr"),
        ]
        for (target, link) in links { try root.symlink(target, at: link) }
        if FileIO.exists("/proc/kcore") { try root.symlink("/proc/kcore", at: "/dev/core") }
        // /dev/ptmx points into the container's own devpts (matches runc's setupPtmx).
        if plan.mounts.contains(where: { $0.destination == "/dev/pts" }) {
            let dev = try root.open("/dev", flags: OpenFlags.pathOnly | O_DIRECTORY)
            if unlinkat(dev.raw, "ptmx", 0) != 0 && errno != ENOENT { throw SyscallError("unlink", "/dev/ptmx") }
            try sys("symlink", "/dev/ptmx") { symlinkat("pts/ptmx", dev.raw, "ptmx") }
        }
    }

    /// Makes the rootfs the process's `/`. pivot_root keeps no path to the host; the old root is
    /// made a slave and detached so unmounting it cannot propagate back (matches runc).
    func enter() throws {
        let rootfs = plan.rootfs
        if plan.noPivot {
            try step("move the rootfs onto / (--no-pivot)") {
                try detachHostProcAndSys()
                try sys("chdir", rootfs) { chdir(rootfs) }
                try Mounts.mount(rootfs, "/", type: nil, flags: .move)
                try sys("chroot", rootfs) { chroot(".") }
                try sys("chdir", "/") { chdir("/") }
            }
            return
        }
        try step("pivot_root into \(rootfs)") {
            let oldRoot = try FileDescriptor.open("/", O_DIRECTORY | O_RDONLY)
            let newRoot = try FileDescriptor.open(rootfs, O_DIRECTORY | O_RDONLY)
            try sys("fchdir", rootfs) { fchdir(newRoot.raw) }
            try Mounts.pivotRoot(".", ".")
            try sys("fchdir", "old root") { fchdir(oldRoot.raw) }
            try Mounts.mount(nil, ".", type: nil, flags: [.slave, .rec], display: "old root")
            try Mounts.unmount(".", flags: Int32(MNT_DETACH))
            try sys("chdir", "/") { chdir("/") }
        }
        // matches runc 1.5: the configured propagation is applied to the new root too, unless private.
        if plan.rootPropagationExplicit && !plan.rootPropagation.contains(.private) {
            try step("apply linux.rootfsPropagation to /") { try Mounts.mount(nil, "/", type: nil, flags: plan.rootPropagation) }
        }
    }

    /// --no-pivot: the host's proc and sysfs mounts outside the rootfs are detached first, so the
    /// chrooted process cannot reach them through the shared mount table (matches runc's msMoveRoot).
    private func detachHostProcAndSys() throws {
        let info = String(decoding: try FileIO.read("/proc/self/mountinfo"), as: UTF8.self)
        var targets: [String] = []
        for line in info.fields("\n") {
            let f = line.fields(" ")
            guard let dash = f.firstIndex(of: "-"), f.count > dash + 1, f[3] == "/" else { continue }
            let type = f[dash + 1], point = String(f[4])
            guard type == "proc" || type == "sysfs", !point.hasPrefix(plan.rootfs) else { continue }
            targets.append(point)
        }
        for p in targets.reversed() {
            if Glibc.mount(nil, p, nil, MountFlags([.slave, .rec]).rawValue, nil) != 0 && errno == ENOENT { continue }
            if umount2(p, Int32(MNT_DETACH)) != 0 {
                guard errno == EINVAL || errno == EPERM else { throw SyscallError("umount", p) }
                try Mounts.mount("tmpfs", p, type: "tmpfs", flags: [])
            }
        }
    }

    /// After pivot_root, before sysctls: read-only tmpfs mounts and root (runc's finalizeRootfs).
    func finalize() throws {
        for m in plan.mounts where m.readonlyLater {
            try step("\(m.where_) (make \(m.destination) read-only)") {
                try Mounts.mount(nil, m.destination, type: nil, flags: m.flags.union([.remount, .bind, .rdonly]), display: m.destination)
            }
        }
        if plan.rootReadonly {
            try step("root.readonly") {
                let keep = Mounts.currentFlags("/")
                try Mounts.mount(nil, "/", type: nil, flags: keep.union([.bind, .remount, .rdonly]), display: "/")
            }
        }
    }

    /// After sysctls: read-only paths, then masked paths (runc's order).
    func restrictPaths() throws {
        for path in plan.readonlyPaths {
            try step("linux.readonlyPaths: \(path)") {
                guard FileIO.exists(path) else { return }
                try Mounts.mount(path, path, type: nil, flags: [.bind, .rec], display: path)
                let keep = Mounts.currentFlags(path).intersection([.nosuid, .nodev, .noexec])
                try Mounts.mount(nil, path, type: nil, flags: keep.union([.bind, .remount, .rdonly]), display: path)
            }
        }
        // CVE-2025-31133: /dev/null is the container's own; a symlink there (to a procfs file,
        // say core_pattern) must never be what a masked path gets bound to. Bound by fd, once
        // it is verified as the 1:3 character device, onto the target opened once (matches runc).
        var devNull: Int32 = -1
        defer { if devNull >= 0 { close(devNull) } }
        let proc = FileIO.exists("/proc/self/fd")
        for path in plan.maskedPaths {
            try step("linux.maskedPaths: \(path)") {
                let raw = open(path, OpenFlags.pathOnly | O_CLOEXEC)
                if raw < 0 {
                    if errno == ENOENT { return }
                    throw SyscallError("open", path)
                }
                let target = FileDescriptor(adopting: raw)
                var st = stat()
                guard fstat(target.raw, &st) == 0 else { throw SyscallError("stat", path) }
                let onto = Self.byFD(target.raw, path, proc: proc)
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    try Mounts.mount("tmpfs", onto, type: "tmpfs", flags: .rdonly, data: plan.maskTmpfsData, display: path)
                    return
                }
                if devNull < 0 { devNull = try Self.verifiedDevNull().release() }
                try Mounts.mount(Self.byFD(devNull, "/dev/null", proc: proc), onto, type: nil, flags: .bind, display: path)
            }
        }
    }

    /// The container's /dev/null, refused unless it is the real null device (runc's message).
    static func verifiedDevNull() throws -> FileDescriptor {
        let fd = try FileDescriptor.open("/dev/null", OpenFlags.pathOnly)
        var st = stat()
        guard fstat(fd.raw, &st) == 0, (st.st_mode & S_IFMT) == S_IFCHR, st.st_rdev == FileIO.deviceNumber(major: 1, minor: 3) else {
            throw InitFailure(step: "linux.maskedPaths", detail: "can't mask paths: container's /dev/null is invalid (not the 1:3 character device)")
        }
        return fd
    }

    /// A mount source or target named by an fd (/proc/self/fd/N), so nothing is looked up twice;
    /// the path itself where the container has no /proc.
    static func byFD(_ fd: Int32, _ path: String, proc: Bool = FileIO.exists("/proc/self/fd")) -> String {
        proc ? "/proc/self/fd/\(fd)" : path
    }
}
