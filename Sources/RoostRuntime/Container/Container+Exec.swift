import Glibc
import RoostCgroups
import RoostLinux
import RoostSpec

extension Container {
    public struct ExecOptions {
        public var args: [String] = []
        /// `--process FILE`: a whole process.json instead of the flags below.
        public var processFile: String?
        public var cwd: String?
        public var env: [String] = []
        /// `--user UID[:GID]`
        public var user: String?
        public var additionalGids: [String] = []
        public var capabilities: [String] = []
        public var noNewPrivileges = false
        /// exec --apparmor: instead of the container's profile.
        public var apparmorProfile: String?
        /// exec --process-label: instead of the container's SELinux label.
        public var selinuxLabel: String?
        public var detach = false
        public var pidFile: String?
        public var preserveFDs: Int32 = 0
        public var ignorePaused = false
        public var pidfdSocket: String?
        public var tty = false
        /// `--cgroup`: sub-cgroups of the container's to run in.
        public var cgroups: [String] = []
        public var consoleSocket: String?
        public init() {}
    }

    /// `roost exec`: runs a new process in every namespace and cgroup of a container's init, with
    /// the container's process settings (capabilities, rlimits, no_new_privs, user, env) unless
    /// overridden. Returns the process's exit code (128+N for signal N), or 0 when detached.
    public static func exec(id: String, stateRoot: String, options: ExecOptions) throws -> Int32 {
        let directory = try directory(id, root: stateRoot)
        let c = try LoadedContainer.load(directory)
        switch c.status {
        case .stopped: throw RuntimeError.invalidState(id: id, problem: "cannot exec in a stopped container")
        case .paused where !options.ignorePaused:
            throw RuntimeError.invalidState(id: id, problem: "cannot exec in a paused container (use --ignore-paused)")
        default: break
        }
        let (process, containerMayHoldPtrace) = try execPlan(directory, options)
        let target = c.state.pid
        // Owned here; the exec child gets its copies, and the parent's close when exec returns.
        let joins: NamespaceJoins
        do throws(SyscallError) { joins = try NamespaceJoins.of(pid: target) } catch { throw RuntimeError.syscall(error) }
        try sealForExec(c, process: process, containerMayHoldPtrace: containerMayHoldPtrace, ownUserNamespace: joins.hasUser)
        let cgroupDirs = try CgroupJoin.of(pid: target, sub: options.cgroups)
        var cgroupJoin: CgroupJoinHandles
        do throws(SyscallError) { cgroupJoin = try CgroupJoinHandles.open(cgroupDirs) } catch { throw RuntimeError.syscall(error) }

        Processes.setChildSubreaper()
        let (parentEnd, childEnd) = try SyncSocket.pair()
        let oldMask = Signals.block(Signals.fullSet())
        // Not dumpable until execve: once it forks into the container's pid namespace, the
        // container's processes can see it (docs/SECURITY.md).
        Processes.setDumpable(false)
        let first: Int32
        do { first = try Namespaces.clone(flags: 0, cgroup: cgroupJoin.unified, joinProcs: &cgroupJoin.unifiedProcs) } catch {
            Signals.setMask(oldMask)
            throw RuntimeError.syscall(error)
        }
        if first == 0 {
            parentEnd.close()
            ExecStage(process: process, preserveFDs: options.preserveFDs, joins: joins, cgroupJoin: cgroupJoin, sync: childEnd).run()
        }
        childEnd.close()
        defer { parentEnd.close() }
        Diagnostics.debug("nsexec container setup: cloned the exec child, pid \(first)")
        Diagnostics.debug("child process in init(): joining the container of \(id)")
        var driver = ChildDriver(socket: parentEnd, cloned: first, stage: "exec")
        do {
            let event = try driver.next { fd, pid in
                guard let filter = process.seccomp else { throw RuntimeError.child(stage: "sync", message: "seccomp listener without a filter") }
                // The filtered process: the pid-namespace child, reported before it sends anything.
                try SeccompAgent.send(
                    listener: fd, filter: filter, pid: pid, id: id, status: "running", initPid: target, bundle: c.state.bundle,
                    annotations: c.state.annotations)
            }
            // Closed by execve; anything else is not the exec child's to say.
            guard case .closed = event else { throw RuntimeError.child(stage: "exec", message: "unexpected message") }
            Diagnostics.debug("setns_init: about to exec: the process (pid \(driver.pid)) replaced the exec child")
        } catch {
            driver.abandon()
            throw error
        }
        return try handOff(pid: driver.pid, console: driver.takeConsole(), options)
    }

    /// The process exec runs, with the container's seccomp filter and the terminal checks of runc.
    private static func execPlan(_ directory: StateDirectory, _ options: ExecOptions) throws -> (ProcessPlan, containerMayHoldPtrace: Bool) {
        var (process, containerMayHoldPtrace) = try execProcess(directory, options)
        // matches runc: the container's filter, also for --process (compiled at create).
        process.seccomp = try directory.readSeccomp()
        if options.processFile == nil { process.terminal = options.tty }
        // roost proxies the pty itself: size it like the caller's terminal before the process runs.
        if process.terminal && !options.detach {
            process.relayedTerminal = true
            if process.consoleSize == nil, let size = Pty.windowSize(0) { process.consoleSize = size }
        }
        // matches runc's checkTerminal.
        if options.detach && process.terminal && options.consoleSocket == nil {
            throw RuntimeError.usage("exec: cannot allocate a tty when roost detaches without --console-socket")
        }
        if (!options.detach || !process.terminal) && options.consoleSocket != nil {
            throw RuntimeError.usage("exec: --console-socket: cannot use a console socket if roost will not detach or allocate a tty")
        }
        return (process, containerMayHoldPtrace)
    }

    /// After execve: the pid file, the pidfd, the console to the engine; then waits, unless detached.
    private static func handOff(pid: Int32, console: Int32, _ options: ExecOptions) throws -> Int32 {
        var master = console
        if let file = options.pidFile {
            do throws(SyscallError) { try writePidFile(file, pid) } catch {
                throw RuntimeError.syscall(error)
            }
        }
        if let socket = options.pidfdSocket { try sendPidfd(of: pid, to: socket, message: "setns") }
        if master >= 0, let socket = options.consoleSocket {
            let m = master
            master = -1
            let sent = Result { try sendFD(m, to: socket, message: "/dev/pts/ptmx", flag: "--console-socket") }
            close(m)
            try sent.get()
        }
        if options.detach { return 0 }
        return master >= 0 ? TerminalProxy.run(master: master, pid: pid) : forwardSignalsUntilExit(pid: pid)
    }

    /// The process to run: process.json as given, or the container's own process with the flags'
    /// changes (matches runc: --env and --cap add, --cwd, --user and --additional-gids replace);
    /// and whether the container's own process may hold CAP_SYS_PTRACE (for Container+Seal).
    private static func execProcess(_ directory: StateDirectory, _ o: ExecOptions) throws -> (ProcessPlan, containerMayHoldPtrace: Bool) {
        if let file = o.processFile { return try execProcess(file: file, directory, o) }
        guard !o.args.isEmpty else { throw RuntimeError.usage("exec: a command is required (or --process FILE)") }
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try FileIO.read(directory.configFile) } catch {
            throw RuntimeError.invalidState(id: directory.id, problem: "cannot read its config.json copy: \(String(cString: strerror(error.errno)))")
        }
        let spec: Spec
        do throws(SpecError) { spec = try Spec.decodeWithoutValidation(bytes, file: directory.configFile) } catch { throw RuntimeError.spec(error) }
        guard var p = spec.process else { throw RuntimeError.invalidState(id: directory.id, problem: "its config has no process") }
        p.args = o.args
        p.terminal = false
        p.env = (p.env ?? []) + o.env
        if let cwd = o.cwd { p.cwd = cwd }
        if let user = o.user {
            let parts = user.fields(":", omittingEmpty: false)
            guard parts.count <= 2, let uid = UInt32(parts[0]), parts.count == 1 || UInt32(parts[1]) != nil else {
                throw RuntimeError.usage("--user: want UID[:GID] as numbers, got \"\(user)\"")
            }
            p.user.uid = uid
            p.user.gid = parts.count == 2 ? UInt32(parts[1])! : 0
            if p.user.uid == UInt32.max { throw RuntimeError.usage("--user: cannot setuid to unmapped uid 4294967295 (it is (uid_t)-1)") }
            if p.user.gid == UInt32.max { throw RuntimeError.usage("--user: cannot setgid to unmapped gid 4294967295 (it is (gid_t)-1)") }
        }
        if !o.additionalGids.isEmpty {
            p.user.additionalGids = try o.additionalGids.map { g in
                guard let v = UInt32(g) else { throw RuntimeError.usage("--additional-gids: \"\(g)\" is not a number") }
                if v == UInt32.max { throw RuntimeError.usage("--additional-gids: cannot setgroups with unmapped gid 4294967295 (it is (gid_t)-1)") }
                return v
            }
        }
        if !o.capabilities.isEmpty {
            var caps = p.capabilities ?? Spec.Capabilities()
            caps.bounding = (caps.bounding ?? []) + o.capabilities
            caps.effective = (caps.effective ?? []) + o.capabilities
            caps.permitted = (caps.permitted ?? []) + o.capabilities
            // matches runc: ambient only when the spec has inheritable capabilities at all.
            if caps.inheritable != nil { caps.ambient = (caps.ambient ?? []) + o.capabilities }
            p.capabilities = caps
        }
        if o.noNewPrivileges { p.noNewPrivileges = true }
        if let profile = o.apparmorProfile { p.apparmorProfile = profile }
        if let label = o.selinuxLabel { p.selinuxLabel = label }
        // The container's capabilities and --cap's: if this one may not, the container's may not.
        let plan = try ProcessPlan(p, at: "process")
        return (plan, plan.mayHoldPtrace)
    }

    /// `exec -p FILE`: process.json, with what it leaves out taken from the container's config.
    private static func execProcess(file: String, _ directory: StateDirectory, _ o: ExecOptions) throws -> (ProcessPlan, containerMayHoldPtrace: Bool) {
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try FileIO.read(absolutePath(file)) } catch {
            throw RuntimeError.usage("--process: cannot read \(file): \(FileIO.describe(error.errno))")
        }
        var p: Spec.Process
        do throws(SpecError) { p = try Spec.Process.decode(bytes, file: file) } catch { throw RuntimeError.spec(error) }
        // matches runc's newInitConfig: what process.json leaves out is the container's (its
        // config as created): capabilities (never roost's own full set), rlimits,
        // noNewPrivileges, the AppArmor profile and the SELinux label.
        let configBytes: [UInt8]
        do throws(SyscallError) { configBytes = try FileIO.read(directory.configFile) } catch {
            throw RuntimeError.invalidState(id: directory.id, problem: "cannot read its config.json copy: \(FileIO.describe(error.errno))")
        }
        let own: Spec.Process?
        do throws(SpecError) { own = try Spec.decodeWithoutValidation(configBytes, file: directory.configFile).process } catch {
            throw RuntimeError.spec(error)
        }
        if p.capabilities == nil { p.capabilities = own?.capabilities }
        if (p.rlimits ?? []).isEmpty { p.rlimits = own?.rlimits }
        if p.noNewPrivileges != true { p.noNewPrivileges = own?.noNewPrivileges }
        var plan = try ProcessPlan(p, at: "process", file: file)
        if o.noNewPrivileges { plan.noNewPrivileges = true }
        if let profile = o.apparmorProfile { plan.apparmorProfile = profile }
        if let label = o.selinuxLabel { plan.selinuxLabel = label }
        if plan.apparmorProfile == nil && AppArmor.isEnabled, let profile = own?.apparmorProfile, !profile.isEmpty { plan.apparmorProfile = profile }
        if plan.selinuxLabel == nil && SELinux.isEnabled, let label = own?.selinuxLabel, !label.isEmpty { plan.selinuxLabel = label }
        let ownCaps = own?.capabilities
        return (plan, ownCaps.map { ($0.bounding ?? []).contains("CAP_SYS_PTRACE") } ?? true)
    }
}
