// Everything that can be checked from config.json alone, before anything
// touches the kernel. Rules marked "matches runc" reproduce runc 1.5's checks
// (validator.go, specconv, utils_linux.go) with roost's wording; the others are
// MUSTs of the runtime-spec that would otherwise fail later, less clearly.
//
// Left to the runtime because they need the host: whether a joined netns is
// the host's (net.* sysctls), kernel support for user/cgroup/time namespaces,
// SELinux/AppArmor availability, rootless restrictions, capability names,
// seccomp flag support, Intel RDT, cgroup v1/v2 differences.

extension Spec {
    /// Checks the config as a whole. `decode` calls this; call it again after
    /// modifying a spec. `process` may be absent (see `validateForRun`).
    public func validate(file: String = "config.json") throws(SpecError) {
        var validator = SpecValidator(spec: self)
        do {
            try validator.run()
        } catch {
            throw error.withFile(file)
        }
    }

    /// What `create` and `run` need beyond `validate`: a process. Returns it
    /// so callers need not unwrap again. Matches runc: "process property must
    /// not be empty".
    @discardableResult
    public func validateForRun(file: String = "config.json") throws(SpecError) -> Process {
        guard let process else {
            throw SpecError(file: file, path: "process", problem: "must be specified")
        }
        return process
    }
}

extension Spec.Process {
    /// The checks on a process alone (also used for exec's process.json);
    /// paths in errors are relative to the process object.
    public func validate() throws(SpecError) {
        // Matches runc's validateProcessSpec.
        if cwd.isEmpty {
            throw SpecError("cwd", "must not be empty")
        }
        if !cwd.hasPrefix("/") {
            throw SpecError("cwd", "must be an absolute path")
        }
        if args?.isEmpty ?? true {
            throw SpecError("args", "must not be empty")
        }
        try validateRlimits()
        if let oomScoreAdj, !(-1000...1000).contains(oomScoreAdj) {
            // The kernel refuses other values when runc writes oom_score_adj.
            throw SpecError("oomScoreAdj", "must be between -1000 and 1000")
        }
        if let scheduler {
            do { try scheduler.validate() } catch { throw error.under(field: "scheduler") }
        }
        if let ioPriority {
            do { try ioPriority.validate() } catch { throw error.under(field: "ioPriority") }
        }
        if let execCPUAffinity {
            for (name, list) in [("initial", execCPUAffinity.initial), ("final", execCPUAffinity.final)] {
                guard let list, !list.isEmpty else { continue }
                do {
                    _ = try CPUList(parsing: list)
                } catch {
                    throw SpecError("execCPUAffinity.\(name)", "invalid CPU list: \(error.message)")
                }
            }
        }
    }

    /// The spec: types must map to the kernel, duplicates are an error;
    /// setrlimit(2) refuses soft > hard.
    private func validateRlimits() throws(SpecError) {
        guard let rlimits else { return }
        var seen: [String] = []
        for (i, rlimit) in rlimits.enumerated() {
            if !Spec.Rlimit.knownTypes.contains(rlimit.type) {
                throw SpecError("rlimits[\(i)].type", "unknown rlimit type \(quoted(rlimit.type))")
            }
            if seen.contains(rlimit.type) {
                throw SpecError("rlimits[\(i)].type", "duplicate rlimit type \(quoted(rlimit.type))")
            }
            seen.append(rlimit.type)
            if rlimit.soft > rlimit.hard {
                throw SpecError("rlimits[\(i)]", "soft limit \(rlimit.soft) exceeds hard limit \(rlimit.hard)")
            }
        }
    }
}

extension Spec.Scheduler {
    /// Matches runc's scheduler validation (sched_setattr(2) rules).
    func validate() throws(SpecError) {
        if policy.isEmpty {
            throw SpecError("policy", "is required")
        }
        if !Self.knownPolicies.contains(policy) {
            throw SpecError("policy", "unknown scheduler policy \(quoted(policy))")
        }
        if policy == "SCHED_OTHER" || policy == "SCHED_BATCH", let nice, !(-20...19).contains(nice) {
            throw SpecError("nice", "must be between -20 and 19 for \(policy)")
        }
        if let priority, priority != 0, policy != "SCHED_FIFO", policy != "SCHED_RR" {
            throw SpecError("priority", "can only be set for SCHED_FIFO or SCHED_RR")
        }
        if policy != "SCHED_DEADLINE" {
            for (name, value) in [("runtime", runtime), ("deadline", deadline), ("period", period)]
            where (value ?? 0) != 0 {
                throw SpecError(name, "can only be set for SCHED_DEADLINE")
            }
        }
        for (i, flag) in (flags ?? []).enumerated() where !Self.knownFlags.contains(flag) {
            throw SpecError("flags[\(i)]", "unknown scheduler flag \(quoted(flag))")
        }
    }
}

extension Spec.IOPriority {
    /// Matches runc's ioPriority validation.
    func validate() throws(SpecError) {
        if !(0...7).contains(priority) {
            throw SpecError("priority", "must be between 0 and 7")
        }
        if !Self.knownClasses.contains(self.class) {
            throw SpecError("class", "unknown I/O priority class \(quoted(self.class))")
        }
    }
}

/// Walks a spec once, throwing the first problem found.
private struct SpecValidator {
    let spec: Spec
    let linux: Spec.Linux
    /// Namespace types requested (created or joined), after the duplicate check.
    var namespaces: [NamespaceType: Spec.Namespace] = [:]

    init(spec: Spec) {
        self.spec = spec
        self.linux = spec.linux ?? Spec.Linux()
    }

    mutating func run() throws(SpecError) {
        if spec.ociVersion.isEmpty {
            throw SpecError("ociVersion", "must not be empty")
        }
        // Matches runc: "root must be specified".
        guard let root = spec.root else {
            throw SpecError("root", "must be specified")
        }
        if root.path.isEmpty {
            throw SpecError("root.path", "must not be empty")
        }
        if let process = spec.process {
            do { try process.validate() } catch { throw error.under(field: "process") }
        }
        try checkNamespaces()
        try checkUTS()
        try checkMounts()
        try checkHooks()
        try checkUserNamespace()
        try checkTimeNamespace()
        try checkSysctl()
        try checkMaskedPaths()
        try checkDevices()
        try checkResources()
        try checkRootfsPropagation()
        try checkNetDevices()
        try checkSeccomp()
        try checkMemoryPolicy()
        try checkPersonality()
        try checkIntelRdt()
    }

    private func has(_ type: NamespaceType) -> Bool {
        namespaces[type] != nil
    }

    // MARK: Namespaces

    /// The spec: duplicated types are an error (runc: "duplicated ns").
    private mutating func checkNamespaces() throws(SpecError) {
        for (i, namespace) in (linux.namespaces ?? []).enumerated() {
            if namespaces[namespace.type] != nil {
                throw SpecError(
                    "linux.namespaces[\(i)].type", "duplicate namespace type \(quoted(namespace.type.rawValue))")
            }
            namespaces[namespace.type] = namespace
        }
    }

    /// Matches runc: hostname and domainname need their own UTS namespace
    /// (created or joined).
    private func checkUTS() throws(SpecError) {
        if let hostname = spec.hostname, !hostname.isEmpty, !has(.uts) {
            throw SpecError("hostname", "unable to set hostname without a private UTS namespace")
        }
        if let domainname = spec.domainname, !domainname.isEmpty, !has(.uts) {
            throw SpecError("domainname", "unable to set domainname without a private UTS namespace")
        }
    }

    /// Matches runc: mappings are required for a new user namespace and
    /// refused without one. Like runc, `[]` counts as "specified".
    private func checkUserNamespace() throws(SpecError) {
        let hasMappings = linux.uidMappings != nil || linux.gidMappings != nil
        if let userns = namespaces[.user] {
            if userns.joinPath == nil && !hasMappings {
                throw SpecError(
                    "linux.namespaces[\(index(of: .user))]",
                    "user namespace enabled, but no namespace path to join nor mappings to apply specified")
            }
        } else if hasMappings {
            throw SpecError(
                linux.uidMappings != nil ? "linux.uidMappings" : "linux.gidMappings",
                "user namespace mappings specified, but user namespace isn't enabled in the config")
        }
        try checkMappingSizes(linux.uidMappings, "linux.uidMappings")
        try checkMappingSizes(linux.gidMappings, "linux.gidMappings")
    }

    private func checkMappingSizes(
        _ mappings: [Spec.IDMapping]?, _ path: @autoclosure () -> String
    ) throws(SpecError) {
        for (i, mapping) in (mappings ?? []).enumerated() where mapping.size == 0 {
            throw SpecError("\(path())[\(i)].size", "must be greater than 0")
        }
    }

    private func index(of type: NamespaceType) -> Int {
        linux.namespaces?.firstIndex { $0.type == type } ?? 0
    }

    /// Matches runc: offsets need a new time namespace; plus the clock names
    /// and nanosecond range the kernel's timens_offsets accepts.
    private func checkTimeNamespace() throws(SpecError) {
        guard let offsets = linux.timeOffsets else { return }
        guard let timens = namespaces[.time] else {
            throw SpecError(
                "linux.timeOffsets", "time namespace offsets specified, but time namespace isn't enabled in the config")
        }
        if timens.joinPath != nil {
            throw SpecError(
                "linux.timeOffsets",
                "time namespace enabled, but both namespace path and time offsets specified -- you may only provide one"
            )
        }
        for (clock, offset) in offsets {
            func path(_ suffix: String = "") -> String { "linux.timeOffsets[\(quoted(clock))]" + suffix }
            if !Spec.TimeOffset.knownClocks.contains(clock) {
                throw SpecError(path(), "unknown clock (expected \"boottime\" or \"monotonic\")")
            }
            if let nanosecs = offset.nanosecs, nanosecs >= 1_000_000_000 {
                throw SpecError(path(".nanosecs"), "must be less than 1000000000")
            }
        }
    }

    // MARK: Sysctl

    /// Matches runc: /proc/sys is only partly namespaced, so each key must
    /// belong to a namespace the container has.
    private func checkSysctl() throws(SpecError) {
        for (key, _) in linux.sysctl ?? [:] {
            if let problem = sysctlProblem(dotted(key)) {
                throw SpecError("linux.sysctl[\(quoted(key))]", problem)
            }
        }
    }

    private func sysctlProblem(_ key: String) -> String? {
        if Spec.Linux.ipcSysctls.contains(key) || key.hasPrefix("fs.mqueue.") {
            return has(.ipc) ? nil : "not allowed in the host's IPC namespace"
        }
        if key.hasPrefix("net.") {
            // A joined netns might still be the host's; only the runtime can tell.
            return has(.network) ? nil : "not allowed in the host's network namespace"
        }
        if has(.uts) {
            if key == "kernel.domainname" { return nil }
            if key == "kernel.hostname" { return "not allowed as it conflicts with the OCI \"hostname\" field" }
        }
        if key.hasPrefix("user.") {
            return has(.user) ? nil : "setting ucounts without a user namespace is not allowed"
        }
        return "not in a separate kernel namespace"
    }

    /// sysctl.d allows '/' as the separator; runc swaps '.' and '/' when the
    /// first separator is a '/' ("net/ipv4/conf/eno2.100/rp_filter").
    private func dotted(_ key: String) -> String {
        guard let first = key.firstIndex(where: { $0 == "." || $0 == "/" }), key[first] == "/" else {
            return key
        }
        return String(key.map { $0 == "/" ? "." : $0 == "." ? "/" : $0 })
    }

    // MARK: Mounts

    private func checkMounts() throws(SpecError) {
        for (i, mount) in (spec.mounts ?? []).enumerated() {
            func path(_ suffix: String = "") -> String { "mounts[\(i)]" + suffix }
            // Relative destinations are deprecated but accepted, as by runc.
            if mount.destination.isEmpty {
                throw SpecError(path(".destination"), "must not be empty")
            }
            // Matches runc: these travel through netlink, which has no NUL handling.
            if containsNUL(mount.destination) {
                throw SpecError(path(".destination"), "must not contain a NUL byte")
            }
            if let source = mount.source, containsNUL(source) {
                throw SpecError(path(".source"), "must not contain a NUL byte")
            }
            if let type = mount.type, containsNUL(type) {
                throw SpecError(path(".type"), "must not contain a NUL byte")
            }
            try checkMappingSizes(mount.uidMappings, path(".uidMappings"))
            try checkMappingSizes(mount.gidMappings, path(".gidMappings"))
            // Matches runc: the kernel ignores filesystem data on bind mounts.
            if mount.isBind, let options = mount.options, options.contains(where: Spec.Mount.isDataOption) {
                let data = options.filter(Spec.Mount.isDataOption)
                throw SpecError(
                    path(".options"),
                    "bind mounts cannot have any filesystem-specific options applied (\(data.map(quoted).joined(separator: ", ")))"
                )
            }
            try checkIDMapping(mount, path())
        }
    }

    private func containsNUL(_ s: String) -> Bool {
        for byte in s.utf8 where byte == 0 {
            return true
        }
        return false
    }

    /// Matches runc: id-mapped mounts must be binds, and need both maps, taken
    /// from the mount or else from the container's new user namespace.
    private func checkIDMapping(_ mount: Spec.Mount, _ path: @autoclosure () -> String) throws(SpecError) {
        let requested = mount.options?.contains { $0 == "idmap" || $0 == "ridmap" } ?? false
        let explicit = mount.uidMappings != nil || mount.gidMappings != nil
        guard requested || explicit else { return }
        if !mount.isBind {
            throw SpecError(path(), "id-mapped mounts are only supported for bind-mounts")
        }
        var uid = mount.uidMappings
        var gid = mount.gidMappings
        if !explicit, let userns = namespaces[.user] {
            if userns.joinPath != nil { return }
            uid = linux.uidMappings
            gid = linux.gidMappings
        }
        if (uid ?? []).isEmpty || (gid ?? []).isEmpty {
            throw SpecError(path(), "id-mapped mounts must have both uid and gid mappings specified")
        }
    }

    // MARK: Hooks

    /// The spec: hook paths are absolute and timeouts positive.
    private func checkHooks() throws(SpecError) {
        guard let hooks = spec.hooks else { return }
        for (name, list) in hooks.all {
            for (i, hook) in list.enumerated() {
                func path(_ suffix: String = "") -> String { "hooks.\(name)[\(i)]" + suffix }
                if !hook.path.hasPrefix("/") {
                    throw SpecError(path(".path"), hook.path.isEmpty ? "must not be empty" : "must be an absolute path")
                }
                if let timeout = hook.timeout, timeout <= 0 {
                    throw SpecError(path(".timeout"), "must be greater than zero")
                }
            }
        }
    }

    // MARK: Linux

    /// Matches runc: masking needs a mount namespace of the container's own.
    private func checkMaskedPaths() throws(SpecError) {
        guard !has(.mount) else { return }
        for (name, paths) in [("maskedPaths", linux.maskedPaths), ("readonlyPaths", linux.readonlyPaths)]
        where !(paths ?? []).isEmpty {
            throw SpecError("linux.\(name)", "unable to restrict sys entries without a private mount namespace")
        }
    }

    private func checkDevices() throws(SpecError) {
        for (i, device) in (linux.devices ?? []).enumerated() {
            func path(_ suffix: String = "") -> String { "linux.devices[\(i)]" + suffix }
            if device.path.isEmpty {
                throw SpecError(path(".path"), "must not be empty")
            }
            if !Spec.Device.knownTypes.contains(device.type) {
                throw SpecError(
                    path(".type"), "unknown device type \(quoted(device.type)) (expected \"c\", \"b\", \"u\" or \"p\")")
            }
        }
    }

    /// Matches runc: rule types are a, b or c, and access is required. Its letters other than
    /// r, w and m are ignored where the rule is applied, as runc ignores them.
    private func checkResources() throws(SpecError) {
        for (i, rule) in (linux.resources?.devices ?? []).enumerated() {
            func path(_ suffix: String = "") -> String { "linux.resources.devices[\(i)]" + suffix }
            if let type = rule.type, !type.isEmpty, !Spec.DeviceCgroup.knownTypes.contains(type) {
                throw SpecError(path(".type"), "unknown device type \(quoted(type)) (expected \"a\", \"b\" or \"c\")")
            }
            guard let access = rule.access, !access.isEmpty else {
                throw SpecError(path(".access"), "must not be empty")
            }
        }
    }

    /// Matches runc's mountPropagationMapping.
    private func checkRootfsPropagation() throws(SpecError) {
        guard let propagation = linux.rootfsPropagation, !propagation.isEmpty else { return }
        if !Spec.Mount.propagationOptions.contains(propagation) {
            throw SpecError("linux.rootfsPropagation", "unsupported value \(quoted(propagation))")
        }
    }

    /// Matches runc: moving interfaces needs a network namespace, and names
    /// must be valid interface names.
    private func checkNetDevices() throws(SpecError) {
        guard let devices = linux.netDevices, !devices.isEmpty else { return }
        if !has(.network) {
            throw SpecError("linux.netDevices", "unable to move network devices without a network namespace")
        }
        for (name, device) in devices {
            func path(_ suffix: String = "") -> String { "linux.netDevices[\(quoted(name))]" + suffix }
            if !isValidInterfaceName(name) {
                throw SpecError(path(), "invalid network device name")
            }
            if let newName = device.name, !newName.isEmpty, !isValidInterfaceName(newName) {
                throw SpecError(path(".name"), "invalid network device name \(quoted(newName))")
            }
        }
    }

    /// The kernel's dev_valid_name: at most 15 bytes (IFNAMSIZ - 1; runc
    /// allows 16, which the kernel then refuses), not "." or "..", no '/',
    /// ':' or whitespace.
    private func isValidInterfaceName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count < 16, name != ".", name != ".." else { return false }
        return !bytes.contains { b in
            b == UInt8(ascii: "/") || b == UInt8(ascii: ":") || b == 0x20 || (0x09...0x0D).contains(b)
        }
    }

    /// Matches runc's seccomp conversion: names must be known to libseccomp.
    private func checkSeccomp() throws(SpecError) {
        guard let seccomp = linux.seccomp else { return }
        let syscalls = seccomp.syscalls ?? []
        // Matches runc: no default action and no rules means no filter.
        if seccomp.defaultAction.isEmpty && syscalls.isEmpty { return }
        let base = "linux.seccomp"
        if !Spec.Seccomp.knownActions.contains(seccomp.defaultAction) {
            throw SpecError(base + ".defaultAction", "unknown seccomp action \(quoted(seccomp.defaultAction))")
        }
        if seccomp.defaultAction == "SCMP_ACT_NOTIFY" {
            throw SpecError(base + ".defaultAction", "SCMP_ACT_NOTIFY cannot be used as default action")
        }
        for (i, arch) in (seccomp.architectures ?? []).enumerated()
        where !Spec.Seccomp.knownArchitectures.contains(arch) {
            throw SpecError(base + ".architectures[\(i)]", "unknown seccomp architecture \(quoted(arch))")
        }
        for (i, flag) in (seccomp.flags ?? []).enumerated() where !Spec.Seccomp.knownFlags.contains(flag) {
            throw SpecError(base + ".flags[\(i)]", "unknown seccomp flag \(quoted(flag))")
        }
        var notifies = false
        for (i, rule) in syscalls.enumerated() {
            func path(_ suffix: String = "") -> String { base + ".syscalls[\(i)]" + suffix }
            if !Spec.Seccomp.knownActions.contains(rule.action) {
                throw SpecError(path(".action"), "unknown seccomp action \(quoted(rule.action))")
            }
            let notify = rule.action == "SCMP_ACT_NOTIFY"
            notifies = notifies || notify
            for (j, name) in rule.names.enumerated() {
                if name.isEmpty {
                    throw SpecError(path(".names[\(j)]"), "empty string is not a valid syscall")
                }
                if notify && name == "write" {
                    throw SpecError(path(".names[\(j)]"), "SCMP_ACT_NOTIFY cannot be used for the write syscall")
                }
            }
            for (k, arg) in (rule.args ?? []).enumerated() {
                if arg.index > Spec.Seccomp.maxArgumentIndex {
                    throw SpecError(path(".args[\(k)].index"), "must be between 0 and 5")
                }
                if !Spec.Seccomp.knownOperators.contains(arg.op) {
                    throw SpecError(path(".args[\(k)].op"), "unknown seccomp operator \(quoted(arg.op))")
                }
            }
        }
        // Matches runc, which fails at start: "seccomp listenerPath is not set".
        if notifies && (seccomp.listenerPath ?? "").isEmpty {
            throw SpecError(base + ".listenerPath", "must be set when SCMP_ACT_NOTIFY is used")
        }
    }

    /// Matches runc's conversion and validator for set_mempolicy(2).
    private func checkMemoryPolicy() throws(SpecError) {
        guard let policy = linux.memoryPolicy else { return }
        let base = "linux.memoryPolicy"
        if !Spec.MemoryPolicy.knownModes.contains(policy.mode) {
            throw SpecError(base + ".mode", "invalid memory policy mode \(quoted(policy.mode))")
        }
        var nodeCount = 0
        if let nodes = policy.nodes, !nodes.isEmpty {
            do {
                nodeCount = try CPUList(parsing: nodes).count
            } catch {
                throw SpecError(base + ".nodes", "invalid node list: \(error.message)")
            }
        }
        for (i, flag) in (policy.flags ?? []).enumerated() where !Spec.MemoryPolicy.knownFlags.contains(flag) {
            throw SpecError(base + ".flags[\(i)]", "invalid memory policy flag \(quoted(flag))")
        }
        if Spec.MemoryPolicy.modesWithoutNodes.contains(policy.mode) && nodeCount != 0 {
            throw SpecError(base + ".nodes", "memory policy mode \(policy.mode) requires 0 nodes but got \(nodeCount)")
        }
        if Spec.MemoryPolicy.modesNeedingNodes.contains(policy.mode) && nodeCount == 0 {
            throw SpecError(base + ".nodes", "memory policy mode \(policy.mode) requires at least one node but got 0")
        }
    }

    /// Matches runc: only the two domains it maps to personality(2) values.
    private func checkPersonality() throws(SpecError) {
        guard let personality = linux.personality else { return }
        if !Spec.Personality.knownDomains.contains(personality.domain) {
            throw SpecError("linux.personality.domain", "invalid personality domain \(quoted(personality.domain))")
        }
    }

    /// Matches runc: the CLOS ID names one resctrl directory ("/" is the default group).
    private func checkIntelRdt() throws(SpecError) {
        guard let clos = linux.intelRdt?.closID else { return }
        if clos == "." || clos == ".." || (clos.utf8.count > 1 && clos.contains("/")) {
            throw SpecError("linux.intelRdt.closID", "invalid CLOS ID \(quoted(clos))")
        }
    }
}
