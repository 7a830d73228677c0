import Glibc
import RoostCgroups
import RoostLinux
import RoostSeccomp
import RoostSpec

/// The runtime's defaults for a /dev it makes itself (matches runc's AllowedDevices that are
/// created as nodes: null, zero, full, tty, urandom, random — all 0666 root:root).
let defaultDevices: [PlannedDevice] = [
    PlannedDevice(path: "/dev/null", mode: S_IFCHR | 0o666, major: 1, minor: 3, uid: 0, gid: 0),
    PlannedDevice(path: "/dev/zero", mode: S_IFCHR | 0o666, major: 1, minor: 5, uid: 0, gid: 0),
    PlannedDevice(path: "/dev/full", mode: S_IFCHR | 0o666, major: 1, minor: 7, uid: 0, gid: 0),
    PlannedDevice(path: "/dev/tty", mode: S_IFCHR | 0o666, major: 5, minor: 0, uid: 0, gid: 0),
    PlannedDevice(path: "/dev/urandom", mode: S_IFCHR | 0o666, major: 1, minor: 9, uid: 0, gid: 0),
    PlannedDevice(path: "/dev/random", mode: S_IFCHR | 0o666, major: 1, minor: 8, uid: 0, gid: 0),
]

extension ContainerPlan {
    struct Options {
        var noPivot = false
        var noNewKeyring = false
        var preserveFDs: Int32 = 0
        var listenFDs: Int32 = 0
        /// Where compiled seccomp filters are kept between creates.
        var seccompCache: SeccompCache?
        var systemdCgroup = false
    }

    /// Resolves a validated spec into kernel values. Throws `.config(path:problem:)` for what the
    /// spec allows but this host or runtime cannot do; `host` answers what it asks of the host.
    init(id: String, bundle: String, spec: Spec, options: Options, host: some HostProbe = LiveHost()) throws {
        self.id = id
        self.bundle = bundle
        privileged = host.isRoot
        guard let root = spec.root else { throw RuntimeError.config(path: "root", problem: "must be set") }
        rootfs = root.path.hasPrefix("/") ? root.path : bundle + "/" + root.path
        rootReadonly = root.readonly ?? false
        noPivot = options.noPivot
        newKeyring = !options.noNewKeyring
        try checkHost(options, host)
        try refuseUnsupported(spec, host)
        try planCgroups(spec, options, host)
        try planNamespaces(spec, host)
        try planMounts(spec, host)
        showOwnCgroup()
        try planDevices(spec)
        try planProcess(spec, cache: options.seccompCache, host)
        if options.listenFDs > 0 {
            process.env += ["LISTEN_FDS=\(options.listenFDs)", "LISTEN_PID=1"]
        }
        hooks = spec.hooks
        resources = spec.linux?.resources
        configDevices = spec.linux?.devices ?? []
        annotations = spec.annotations.map { $0.map { (key: $0.key, value: $0.value) } } ?? []
        try planPaths(spec)
        sysctls = spec.linux?.sysctl.map { $0.map { (key: $0.key, value: $0.value) } } ?? []
        hostname = spec.hostname
        domainname = spec.domainname
        try planRootPropagation(spec, options)
    }

    /// The fds handed on are open, the rootfs is a directory.
    private mutating func checkHost(_ options: Options, _ host: some HostProbe) throws {
        preserveFDs = options.listenFDs + options.preserveFDs
        // matches runc: every fd handed on must be open now.
        for fd in 3..<(3 + preserveFDs) where !host.isOpen(fd) {
            throw RuntimeError.usage(fd < 3 + options.listenFDs
                ? "LISTEN_FDS=\(options.listenFDs): fd \(fd) is not open"
                : "--preserve-fds \(options.preserveFDs): fd \(fd) is not open")
        }
        guard let type = host.fileType(rootfs) else {
            throw RuntimeError.config(path: "root.path", problem: "rootfs \(rootfs) does not exist")
        }
        guard type == S_IFDIR else {
            throw RuntimeError.config(path: "root.path", problem: "rootfs \(rootfs) is not a directory")
        }
    }

    /// The container's cgroup driver and directories, as root, on v1, hybrid and cgroup2-only
    /// hosts alike; rootless use comes later.
    private mutating func planCgroups(_ spec: Spec, _ options: Options, _ host: some HostProbe) throws {
        // runc's systemd driver on a v1 or hybrid host is its LegacyManager (v1 unit
        // properties, per-controller directories); roost has only the v2 one.
        if options.systemdCgroup, host.cgroupMode != .unified {
            throw RuntimeError.usage(
                "--systemd-cgroup: this host mounts cgroup v1 (\(host.cgroupMode == .hybrid ? "hybrid" : "legacy")); roost's systemd driver needs a cgroup v2 (unified) host: use the default cgroupfs driver here")
        }
        // runc's rootless systemd driver talks to the user's own systemd instance; not roost's yet.
        if options.systemdCgroup, !host.isRoot {
            throw RuntimeError.usage("--systemd-cgroup: not supported without root (the user's systemd instance is not used yet): drop --systemd-cgroup")
        }
        guard host.isRoot else { return }
        do {
            let driver = try host.cgroupDriver(cgroupsPath: spec.linux?.cgroupsPath, id: id, systemd: options.systemdCgroup)
            // runc reads org.systemd.property.* annotations with the systemd driver only.
            if var sd = driver as? CgroupSystemd {
                sd.extraProperties = try CgroupSystemd.annotationProperties(spec.annotations.map { Array(zip($0.keys, $0.values)) } ?? [])
                cgroups = sd
            } else {
                cgroups = driver
            }
        } catch let e as SyscallError {
            throw RuntimeError.config(path: "linux.cgroupsPath", problem: "cannot read the host's cgroups", cause: e)
        } catch {
            throw RuntimeError(error, stage: "create")
        }
    }

    /// The container's /sys/fs/cgroup shows its own cgroup, not roost's.
    private mutating func showOwnCgroup() {
        guard let cg = cgroups, var h = cgroupHierarchies else { return }
        for i in h.v1.indices {
            if let d = cg.directories.first(where: { $0.controllers == h.v1[i].controllers }), d.path.hasPrefix(h.v1[i].mountpoint) {
                let inner = String(d.path.dropFirst(h.v1[i].mountpoint.count))
                h.v1[i].path = inner.isEmpty ? "/" : inner
            }
        }
        if let v2 = cg.unified, v2.path.hasPrefix(v2.root) {
            let inner = String(v2.path.dropFirst(v2.root.count))
            h.unifiedPath = inner.isEmpty ? "/" : inner
        }
        cgroupHierarchies = h
    }

    /// Masked and read-only paths (which need a mount namespace) and the mount label.
    private mutating func planPaths(_ spec: Spec) throws {
        maskedPaths = spec.linux?.maskedPaths ?? []
        if let label = spec.linux?.mountLabel, !label.isEmpty { applyMountLabel(label) }
        readonlyPaths = spec.linux?.readonlyPaths ?? []
        if !hasMountNamespace && (!maskedPaths.isEmpty || !readonlyPaths.isEmpty) {
            throw RuntimeError.config(path: maskedPaths.isEmpty ? "linux.readonlyPaths" : "linux.maskedPaths", problem: "needs a new mount namespace (linux.namespaces has no \"mount\")")
        }
    }

    private mutating func planRootPropagation(_ spec: Spec, _ options: Options) throws {
        guard let p = spec.linux?.rootfsPropagation else { return }
        let table: [String: MountFlags] = [
            "shared": .shared, "rshared": [.shared, .rec], "slave": .slave, "rslave": [.slave, .rec],
            "private": .private, "rprivate": [.private, .rec], "unbindable": .unbindable,
            "runbindable": [.unbindable, .rec],
        ]
        guard let flags = table[p] else {
            throw RuntimeError.config(path: "linux.rootfsPropagation", problem: "unknown propagation \"\(p)\"")
        }
        if options.noPivot && flags.contains(.private) {
            throw RuntimeError.config(path: "linux.rootfsPropagation", problem: "\(p) is not safe without pivot_root (--no-pivot)")
        }
        rootPropagation = flags
        rootPropagationExplicit = true
    }

    /// Fields roost does not carry out yet fail create by their JSON path, never silently.
    private func refuseUnsupported(_ spec: Spec, _ host: some HostProbe) throws {
        let p = spec.process, l = spec.linux
        let notYet: [(String, Bool)] = [
            ("process.scheduler", p?.scheduler != nil), ("process.ioPriority", p?.ioPriority != nil),
            ("process.execCPUAffinity", p?.execCPUAffinity != nil), ("linux.personality", l?.personality != nil),
            ("linux.memoryPolicy", l?.memoryPolicy != nil), ("linux.intelRdt", l?.intelRdt != nil),
            ("linux.netDevices", !(l?.netDevices?.isEmpty ?? true)),
        ]
        if let (path, _) = notYet.first(where: { $0.1 }) {
            throw RuntimeError.config(path: path, problem: "not supported by roost yet")
        }
        // runc 1.1.5 refuses a process label here; a mount label it passes to the kernel, whose
        // tmpfs then refuses the `context=` option (EINVAL at the first labelled mount). Said
        // here instead, by the field.
        if let label = l?.mountLabel, !label.isEmpty, !host.selinuxEnabled {
            throw RuntimeError.config(path: "linux.mountLabel", problem: "SELinux mount label \"\(label)\" is given, but SELinux is disabled or not supported on this host")
        }
        if let profile = p?.apparmorProfile, !profile.isEmpty, !host.apparmorEnabled {
            throw RuntimeError.config(path: "process.apparmorProfile", problem: "AppArmor profile \"\(profile)\" is given, but AppArmor is not enabled on this host")
        }
    }

    private mutating func planNamespaces(_ spec: Spec, _ host: some HostProbe) throws {
        let list = spec.linux?.namespaces ?? []
        var byKind: [NamespaceKind: String?] = [:]
        for (i, ns) in list.enumerated() {
            guard let kind = NamespaceKind(rawValue: ns.type.rawValue) else {
                throw RuntimeError.config(path: "linux.namespaces[\(i)].type", problem: "unknown namespace type \"\(ns.type.rawValue)\"")
            }
            guard host.hasNamespace(kind) else {
                throw RuntimeError.config(path: "linux.namespaces[\(i)]", problem: "this kernel has no \(kind.rawValue) namespace")
            }
            if let path = ns.path, !path.isEmpty {
                guard host.fileType(path) != nil else {
                    throw RuntimeError.config(path: "linux.namespaces[\(i)].path", problem: "\(path) does not exist")
                }
                byKind[kind] = .some(path)
            } else {
                byKind[kind] = .some(nil)
            }
        }
        hasMountNamespace = byKind[.mount] != nil
        hasCgroupNamespace = byKind[.cgroup] != nil
        hasPidNamespace = byKind[.pid] != nil
        createsNetworkNamespace = byKind[.network] == .some(nil)
        // A time namespace needs its offsets written between unshare and the first process in it,
        // so it takes the general path too.
        let anyJoined = byKind.values.contains { $0 != nil } || byKind[.time] != nil
        for kind in NamespaceKind.joinOrder {
            guard let entry = byKind[kind] else { continue }
            if let path = entry {
                joins.append((kind, path))
            } else if anyJoined || kind == .cgroup {
                // A new cgroup namespace is made by init once roost has put it in its cgroup, so
                // that cgroup becomes the namespace's root (matches runc).
                unshareFlags |= kind.cloneFlag
            } else {
                cloneFlags |= kind.cloneFlag
            }
        }
        createsUserNamespace = byKind[.user] == .some(nil)
        forkForPidNamespace = anyJoined && (byKind[.pid] != nil || byKind[.time] != nil)

        if let user = byKind[.user] {
            if user == nil {
                uidMap = mapText(spec.linux?.uidMappings)
                gidMap = mapText(spec.linux?.gidMappings)
            }
        }
        if let offsets = spec.linux?.timeOffsets {
            timeOffsets = offsets.map { "\($0.key == "boottime" ? "boottime" : "monotonic") \($0.value.secs ?? 0) \($0.value.nanosecs ?? 0)\n" }.joined()
        }
    }

    private func mapText(_ maps: [Spec.IDMapping]?) -> String {
        (maps ?? []).map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
    }

    private mutating func planMounts(_ spec: Spec, _ host: some HostProbe) throws {
        for (i, m) in (spec.mounts ?? []).enumerated() { mounts.append(try planMount(m, at: "mounts[\(i)]", host)) }
        if !mounts.isEmpty && !hasMountNamespace {
            throw RuntimeError.config(path: "mounts", problem: "mounts need a new mount namespace (linux.namespaces has no \"mount\")")
        }
    }

    /// A mount's options, sorted into what mount(2) and mount_setattr(2) take (runc's parseMountOptions).
    private struct ParsedOptions {
        var flags: MountFlags = []
        /// Flags an option cleared: a bind that clears one must be remounted.
        var cleared: MountFlags = []
        /// Filesystem options, passed on as mount(2)'s data.
        var data: [String] = []
        var propagation: [MountFlags] = []
        var recursiveSet: MountAttributes = []
        var recursiveClear: MountAttributes = []

        init(_ options: [String], at: String) throws {
            for option in options {
                switch MountOption.table[option] {
                case .set(let f)?: flags.formUnion(f); cleared.subtract(f)
                case .clear(let f)?: flags.subtract(f); cleared.formUnion(f)
                case .propagation(let f)?: propagation.append(f)
                case .recursive(let s, let c)?:
                    recursiveSet.formUnion(s); recursiveSet.subtract(c); recursiveClear.formUnion(c); recursiveClear.subtract(s)
                case .extension_(let name)?:
                    if name != "tmpcopyup" {
                        throw RuntimeError.config(path: "\(at).options", problem: "\"\(name)\" mounts are not supported yet")
                    }
                case nil: data.append(option)
                }
            }
        }
    }

    private mutating func planMount(_ m: Spec.Mount, at: String, _ host: some HostProbe) throws -> PlannedMount {
        var o = try ParsedOptions(m.options ?? [], at: at)
        let type = m.type ?? ""
        // matches runc: a relative destination is taken from / , with a warning.
        var destination = m.destination
        if !destination.hasPrefix("/") {
            Diagnostics.warn("config.json: \(at).destination: \"\(destination)\" is not absolute; using /\(destination)")
            destination = "/" + destination
        }
        let kind: PlannedMount.Kind
        if type == "bind" || o.flags.contains(.bind) {
            kind = .bind
            o.flags.insert(.bind)
        } else if type == "cgroup" || type == "cgroup2" {
            kind = .cgroup
            if cgroupHierarchies == nil {
                do throws(SyscallError) { cgroupHierarchies = try host.cgroupHierarchies() } catch {
                    throw RuntimeError.config(path: "\(at)", problem: "cannot read the host's cgroups", cause: error)
                }
            }
        } else {
            kind = .filesystem
        }
        if kind == .bind && !o.data.isEmpty {
            throw RuntimeError.config(path: "\(at).options", problem: "bind mounts take no filesystem options, got \"\(o.data.joined(separator: ","))\"")
        }
        var source = m.source ?? (type.isEmpty ? "none" : type)
        var isDir = true
        if kind == .bind {
            // matches runc: a relative bind source is relative to the bundle.
            if !source.hasPrefix("/") { source = bundle + "/" + source }
            guard let type = host.fileType(source) else {
                throw RuntimeError.config(path: "\(at).source", problem: "bind source \(source) does not exist")
            }
            isDir = type == S_IFDIR
        }
        return PlannedMount(
            kind: kind, destination: destination, source: source, type: type, flags: o.flags,
            data: o.data.joined(separator: ","), propagation: o.propagation, recursiveSet: o.recursiveSet,
            recursiveClear: o.recursiveClear, where_: at, sourceIsDirectory: isDir,
            remount: kind == .bind && (!o.flags.subtracting([.bind, .rec, .remount]).isEmpty || !o.cleared.isEmpty))
    }

    /// linux.mountLabel on the mounts runc labels: tmpfs (masked directories' and the cgroup v1
    /// tmpfs too), devpts and any other filesystem but proc and sysfs take `context="LABEL"`;
    /// mqueue's root gets the label as a file; binds and cgroup hierarchies keep their own.
    private mutating func applyMountLabel(_ label: String) {
        maskTmpfsData = SELinux.mountData(maskTmpfsData, label: label)
        for i in mounts.indices {
            switch mounts[i].kind {
            case .bind: break
            case .cgroup: mounts[i].tmpfsData = SELinux.mountData(mounts[i].tmpfsData, label: label)
            case .filesystem:
                switch mounts[i].type {
                case "proc", "sysfs": continue
                case "mqueue": mounts[i].fileLabel = label
                default: mounts[i].data = SELinux.mountData(mounts[i].data, label: label)
                }
                // A label the policy refuses fails this mount: say where it came from.
                mounts[i].where_ += " with linux.mountLabel"
            }
        }
    }

    private mutating func planDevices(_ spec: Spec) throws {
        devices = defaultDevices
        for (i, d) in (spec.linux?.devices ?? []).enumerated() {
            let type: UInt32
            switch d.type {
            case "c", "u": type = S_IFCHR
            case "b": type = S_IFBLK
            case "p": type = S_IFIFO
            default: throw RuntimeError.config(path: "linux.devices[\(i)].type", problem: "unknown device type \"\(d.type)\"")
            }
            let dev = PlannedDevice(
                path: d.path, mode: type | ((d.fileMode ?? 0o666) & 0o7777), major: UInt32(truncatingIfNeeded: d.major),
                minor: UInt32(truncatingIfNeeded: d.minor), uid: d.uid ?? 0, gid: d.gid ?? 0)
            if let k = devices.firstIndex(where: { $0.path == d.path }) { devices[k] = dev } else { devices.append(dev) }
        }
    }

    /// linux.seccomp to BPF, through the cache when there is one; unknown syscall names are
    /// ignored (a debug line), as runc does.
    static func compileSeccomp(_ s: Spec.Seccomp?, cache: SeccompCache?) throws -> SeccompFilter? {
        guard let s else { return nil }
        let start = monotonicNow()
        let result: (SeccompCompilation, SeccompCache.Source)?
        do throws(SpecError) {
            if let cache { result = try cache.compile(s) } else { result = try SeccompCompiler.compile(s).map { ($0, .compiled) } }
        } catch { throw RuntimeError.spec(error) }
        guard let (compiled, source) = result else { return nil }
        for name in compiled.ignoredNames { Diagnostics.debug("unknown seccomp syscall \"\(name)\" ignored") }
        let micros = Int((monotonicNow() - start) * 1e6)
        Diagnostics.debug("seccomp: \(compiled.filter.instructionCount) BPF instructions (flags \(compiled.filter.flags)) \(source == .cache ? "from the cache" : "compiled") in \(micros) µs")
        return compiled.filter
    }

    private mutating func planProcess(_ spec: Spec, cache: SeccompCache?, _ host: some HostProbe) throws {
        guard let p = spec.process else { throw RuntimeError.config(path: "process", problem: "must be set to run a container") }
        process = try ProcessPlan(p, at: "process", host: host)
        // Compiled here, before clone: a profile libseccomp or the kernel refuses fails create.
        process.seccomp = try Self.compileSeccomp(spec.linux?.seccomp, cache: cache)
    }
}

extension ProcessPlan {
    /// Resolves a spec process (config.json's, or exec's) into kernel values; `prefix` and `file`
    /// name where it came from in errors.
    init(_ p: Spec.Process, at prefix: String, file: String = "config.json", host: some HostProbe = LiveHost()) throws {
        func fail(_ path: String, _ problem: String) -> RuntimeError { .config(path: "\(prefix).\(path)", problem: problem, file: file) }
        setgroupsDenied = !host.isRoot
        args = p.args ?? []
        env = p.env ?? []
        cwd = p.cwd
        uid = p.user.uid
        gid = p.user.gid
        additionalGids = p.user.additionalGids ?? []
        // (uid_t)-1 is setresuid(2)'s "leave unchanged": the process would stay root. runc's
        // setuid(2) refuses it; so does roost, before anything is made.
        if uid == UInt32.max { throw fail("user.uid", "cannot setuid to unmapped uid 4294967295 (it is (uid_t)-1)") }
        if gid == UInt32.max { throw fail("user.gid", "cannot setgid to unmapped gid 4294967295 (it is (gid_t)-1)") }
        if let i = additionalGids.firstIndex(of: UInt32.max) {
            throw fail("user.additionalGids[\(i)]", "cannot setgroups with unmapped gid 4294967295 (it is (gid_t)-1)")
        }
        umask = p.user.umask ?? 0o022
        noNewPrivileges = p.noNewPrivileges ?? false
        apparmorProfile = p.apparmorProfile.flatMap { $0.isEmpty ? nil : $0 }
        // matches runc: an empty label is none; any other needs SELinux on the host.
        if let label = p.selinuxLabel, !label.isEmpty {
            guard host.selinuxEnabled else {
                throw fail("selinuxLabel", "SELinux label \"\(label)\" is given, but SELinux is disabled or not supported on this host")
            }
            selinuxLabel = label
        }
        oomScoreAdj = p.oomScoreAdj
        terminal = p.terminal ?? false
        if let box = p.consoleSize, box.height > 0, box.width > 0 {
            consoleSize = (UInt16(clamping: box.height), UInt16(clamping: box.width))
        }
        if let caps = p.capabilities {
            // matches runc: a name that is not exactly a capability this kernel has is left out
            // of every set, with one warning; never an error, never a guess at what was meant.
            var ignored: Set<String> = []
            func set(_ names: [String]?) -> Capabilities.Set {
                var out = Capabilities.Set()
                for name in names ?? [] {
                    if let n = Capabilities.number(name), n <= Capabilities.lastCap { out.bits |= 1 << UInt64(n) } else { ignored.insert(name) }
                }
                return out
            }
            capabilities = (set(caps.bounding), set(caps.effective), set(caps.inheritable), set(caps.permitted), set(caps.ambient))
            if !ignored.isEmpty {
                Diagnostics.warn("ignoring unknown or unavailable capabilities: [\(ignored.sorted().joined(separator: " "))]")
            }
            // matches runc: an ambient capability the kernel will refuse (not both permitted and
            // inheritable) is a warning, known here already; init skips it.
            if let c = capabilities {
                for n in 0...Capabilities.lastCap where c.ambient.contains(n) && !(c.permitted.contains(n) && c.inheritable.contains(n)) {
                    Diagnostics.warn("can't raise ambient capability \(Capabilities.names.indices.contains(n) ? Capabilities.names[n] : "\(n)"): operation not permitted")
                }
            }
        }
        for (i, r) in (p.rlimits ?? []).enumerated() {
            guard let n = Rlimits.number(r.type) else { throw fail("rlimits[\(i)].type", "unknown rlimit \"\(r.type)\"") }
            rlimits.append((n, r.soft, r.hard))
        }
    }
}
