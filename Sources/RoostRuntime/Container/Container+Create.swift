import Glibc
import RoostCgroups
import RoostLinux
import RoostSeccomp
import RoostSpec

/// A container whose init is set up and waiting on exec.sock; for `run`, roost still holds
/// its end of the sync socket and is init's parent.
struct CreatedContainer {
    let directory: StateDirectory
    let pid: Int32
    let sync: SyncSocket
    let state: ContainerState?
    /// The pty master of a terminal container, when roost itself is to proxy it (-1 otherwise).
    var consoleMaster: Int32 = -1
}

extension Container {
    /// `roost create`: sets the container up and returns with its init waiting on exec.sock.
    public static func create(id: String, stateRoot: String, options: CreateOptions) throws {
        let c = try setUp(id: id, stateRoot: stateRoot, options: options)
        c.sync.close()
    }

    /// create and run: validate everything, claim the id, clone the init, let it set up, record
    /// the state. Any failure rolls back every step already done.
    static func setUp(id: String, stateRoot: String, options: CreateOptions) throws -> CreatedContainer {
        try StateDirectory.validate(id: id)
        let (bundle, config, spec) = try readBundle(options)
        try checkTerminal(spec, options)
        let plan = try makePlan(id: id, bundle: bundle, spec: spec, stateRoot: stateRoot, options)
        // Before anything is made: this may re-execute roost from its sealed binary.
        try sealForCreate(plan, stateRoot: stateRoot)

        Diagnostics.debug("create \(id): bundle \(bundle), rootfs \(plan.rootfs), clone flags 0x\(String(plan.cloneFlags, radix: 16)), joins \(plan.joins.map { "\($0.kind.rawValue)=\($0.path)" })")
        let directory = StateDirectory(root: stateRoot, id: id)
        try directory.create()
        var rollback = Rollback()
        rollback.add { directory.remove() }
        // A sealed create says so for itself: exec and containers that join its pid namespace
        // read it (Container+Seal.swift).
        if plan.clonesNeedSealedExe { markPtraceVisible(directory) }
        do {
            var created = try launchAndRecord(plan, spec: spec, config: config, in: directory, options, &rollback)
            rollback.disarm()
            if let socket = options.consoleSocket, created.consoleMaster >= 0 {
                try sendFD(created.consoleMaster, to: socket, message: "/dev/pts/ptmx", flag: "--console-socket")
                close(created.consoleMaster)
                created.consoleMaster = -1
            }
            return created
        } catch {
            rollback.run()
            throw error
        }
    }

    /// The bundle's directory, its config.json as read, and the config decoded and validated.
    private static func readBundle(_ options: CreateOptions) throws -> (String, [UInt8], Spec) {
        let bundle = absolutePath(options.bundle ?? ".")
        guard FileIO.isDirectory(bundle) else { throw RuntimeError.bundle("bundle \(bundle): no such directory") }
        let configPath = bundle + "/config.json"
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try FileIO.read(configPath) } catch {
            throw RuntimeError.bundle("config.json: cannot read \(configPath): \(FileIO.describe(error.errno))")
        }
        do throws(SpecError) {
            let spec = try Spec.decode(bytes)
            _ = try spec.validateForRun()
            return (bundle, bytes, spec)
        } catch { throw RuntimeError.spec(error) }
    }

    /// runc's checkTerminal: a detached terminal needs a console socket, and a console socket
    /// needs a detached terminal.
    private static func checkTerminal(_ spec: Spec, _ options: CreateOptions) throws {
        let terminal = spec.process?.terminal ?? false
        if options.detach && terminal && options.consoleSocket == nil {
            throw RuntimeError.config(path: "process.terminal", problem: "cannot allocate a tty when roost detaches without --console-socket")
        }
        if (!options.detach || !terminal) && options.consoleSocket != nil {
            throw RuntimeError.usage("--console-socket: cannot use a console socket if roost will not detach or allocate a tty (process.terminal is \(terminal))")
        }
    }

    private static func makePlan(id: String, bundle: String, spec: Spec, stateRoot: String, _ options: CreateOptions) throws -> ContainerPlan {
        var plan = try ContainerPlan(
            id: id, bundle: bundle, spec: spec,
            options: .init(
                noPivot: options.noPivot, noNewKeyring: options.noNewKeyring, preserveFDs: options.preserveFDs, listenFDs: options.listenFDs,
                seccompCache: SeccompCache(stateRoot: stateRoot), systemdCgroup: options.systemdCgroup))
        // A foreground terminal roost proxies: the pty starts at the caller's window size.
        if plan.process.terminal && !options.detach && options.consoleSocket == nil {
            plan.process.relayedTerminal = true
            if plan.process.consoleSize == nil, let size = Pty.windowSize(0) { plan.process.consoleSize = size }
        }
        return plan
    }

    /// Under the container's lock: clones init, lets it set up, then records what start, exec
    /// and delete read (state.json, the config as created, the compiled seccomp filter) and the
    /// caller's pid file and pidfd.
    private static func launchAndRecord(
        _ plan: ContainerPlan, spec: Spec, config: [UInt8], in directory: StateDirectory, _ options: CreateOptions,
        _ rollback: inout Rollback
    ) throws -> CreatedContainer {
        var plan = plan
        if NotifyRelay.host != nil { try NotifyRelay.prepare(&plan, directory) }
        // Held until state.json exists: start/kill/delete/state of this id wait for it.
        guard let lock = try directory.lock() else { throw RuntimeError.exists(plan.id) }
        defer { withExtendedLifetime(lock) {} }
        var state = ContainerState(
            id: plan.id, pid: 0, pidStartTime: 0, bundle: plan.bundle, rootfs: plan.rootfs, created: rfc3339Now(),
            annotations: plan.annotations, hooks: spec.hooks.map { Spec.Hooks(poststart: $0.poststart, poststop: $0.poststop) },
            ownPidNamespace: plan.hasPidNamespace, cgroups: plan.cgroups)
        let created = try launch(plan, in: directory, state: state, rollback: &rollback)
        state.pid = created.pid
        state.pidStartTime = Processes.startTime(created.pid) ?? 0
        state.processNamespace =
            plan.hasPidNamespace ? try? readlink("/proc/\(created.pid)/ns/pid")
            : plan.hasMountNamespace ? try? readlink("/proc/\(created.pid)/ns/mnt") : nil
        if let path = options.pidfdSocket { try sendPidfd(of: created.pid, to: path) }
        Diagnostics.debug("create \(plan.id): init \(created.pid) waits on \(directory.startSocket)")
        do throws(SyscallError) {
            // The config as created: exec takes its process defaults from here, not from a
            // bundle that may have changed since.
            try FileIO.writeAtomically(directory.configFile, config)
            try directory.writeSeccomp(plan.process.seccomp)
            try FileIO.writeAtomically(directory.stateFile, Array(state.json.serialized().utf8))
            if let pidFile = options.pidFile { try writePidFile(pidFile, created.pid) }
        } catch {
            throw RuntimeError.syscall(error)
        }
        return CreatedContainer(directory: created.directory, pid: created.pid, sync: created.sync, state: state, consoleMaster: created.consoleMaster)
    }

    /// Clones the init and drives it through set-up. Signals stay blocked in roost from before the
    /// clone (a ^C cannot leave a half-made container); init restores the caller's mask before exec.
    private static func launch(
        _ plan: ContainerPlan, in directory: StateDirectory, state: ContainerState, rollback: inout Rollback
    )
        throws -> CreatedContainer
    {
        do {
            // Closed here once init has its copy: when init dies, `start` is refused at once.
            // Owned here; init gets its copies, and the parent's close at the end of this scope.
            let startListener = try directory.listenForStart()
            var nsFDs = FileDescriptors()
            var cgroupJoin = CgroupJoinHandles()
            for join in plan.joins { nsFDs.append(try FileDescriptor.open(join.path, O_RDONLY)) }
            // A systemd scope is made after the clone, around init (below).
            if let cg = plan.cgroups, !cg.madeAroundProcess {
                cgroupJoin = try makeCgroups(cg, plan, directory, &rollback)
            }
            let (parentEnd, childEnd) = try SyncSocket.pair()
            let oldMask = Signals.block(Signals.fullSet())
            // Init is born not dumpable and stays so until execve: its /proc/PID/{exe,fd,root,
            // cwd,mem} are closed to the container's processes (docs/SECURITY.md).
            Processes.setDumpable(false)
            let pid: Int32
            do {
                pid = try Namespaces.clone(flags: plan.cloneFlags, cgroup: cgroupJoin.unified, joinProcs: &cgroupJoin.unifiedProcs)
            } catch {
                Signals.setMask(oldMask)
                parentEnd.close(); childEnd.close()
                throw error
            }
            if pid == 0 {
                parentEnd.close()
                Init(plan: plan, sync: childEnd, startListener: startListener, namespaceFDs: nsFDs, cgroupJoin: cgroupJoin).run()
            }
            childEnd.close()
            // runc's words for the same steps, which its users and suite look for in --debug logs.
            Diagnostics.debug("nsexec container setup: cloned the init of \(plan.id), pid \(pid)")
            Diagnostics.debug("child process in init(): setting the container up")
            var driver = ChildDriver(socket: parentEnd, cloned: pid, stage: "container init")
            rollback.add {
                driver.abandon()
                parentEnd.close()
                Signals.setMask(oldMask)
                // runtime-spec lifecycle: a create that failed after init existed ends in poststop.
                runPoststop(state)
            }
            if let cg = plan.cgroups, cg.madeAroundProcess {
                try startScope(cg, around: pid, plan, directory, &rollback)
                try driver.send(.cgroupJoined)
            }
            try driveInit(&driver, plan, state)
            return CreatedContainer(directory: directory, pid: driver.pid, sync: parentEnd, state: nil, consoleMaster: driver.console)
        } catch {
            throw RuntimeError(error, stage: "create")
        }
    }

    /// Answers init until it is set up: maps, hooks, the seccomp agent.
    private static func driveInit(_ driver: inout ChildDriver, _ plan: ContainerPlan, _ state: ContainerState) throws {
        while true {
            let event = try driver.next { fd, pid in
                guard let filter = plan.process.seccomp else { throw RuntimeError.child(stage: "sync", message: "seccomp listener without a filter") }
                try SeccompAgent.send(
                    listener: fd, filter: filter, pid: pid, id: state.id, status: "creating", initPid: pid, bundle: state.bundle,
                    annotations: state.annotations)
            }
            switch event {
            case .needMaps:
                try writeMaps(plan, pid: driver.cloned)
                try driver.send(.mapsWritten)
            case .runtimeHooks:
                let doc = HookRunner.stateJSON(id: state.id, status: "creating", pid: driver.pid, bundle: state.bundle, annotations: state.annotations)
                try HookRunner.run(plan.hooks?.prestart, kind: "prestart", state: doc)
                try HookRunner.run(plan.hooks?.createRuntime, kind: "createRuntime", state: doc)
                try driver.send(.hooksDone)
            case .created:
                Diagnostics.debug("init: closing the pipe to signal completion: init \(driver.pid) is set up and waits for start")
                return
            case .closed:
                let (_, status) = try Processes.wait(driver.pid)
                let why = plan.cgroups.flatMap(oomExplanation) ?? "exited during set-up (\(status.map { "\($0)" } ?? "unknown"))"
                throw RuntimeError.child(stage: "container init", message: why)
            }
        }
    }

    /// Records the cgroups in the state directory before they exist (so a delete --force after a
    /// killed create finds them), makes them with their resources, and opens what init joins by.
    private static func makeCgroups(
        _ cg: any CgroupDriver, _ plan: ContainerPlan, _ directory: StateDirectory, _ rollback: inout Rollback
    ) throws -> CgroupJoinHandles {
        try refuseUsedCgroup(cg)
        try recordCgroups(cg, directory, &rollback)
        do throws(CgroupError) {
            try cg.create(resources: plan.resources)
            try cg.apply(plan.resources, devices: plan.configDevices)
        } catch {
            throw RuntimeError.cgroup(error)
        }
        // Init enters them itself, first thing (see CgroupJoinHandles for why not cgroup.procs).
        return try cg.openJoin()
    }

    /// runc 1.5's checks before it makes a container's cgroup (factory_linux.go Create): one that
    /// already exists must hold no process, and must not be frozen — init, born into a frozen
    /// cgroup, would wait in the kernel's freezer for good. Nothing of it is removed: it is not
    /// this container's.
    private static func refuseUsedCgroup(_ cg: any CgroupDriver) throws {
        let pids = cg.processes()
        if !pids.isEmpty {
            throw RuntimeError.config(path: "linux.cgroupsPath", problem: "container's cgroup is not empty: \(pids.count) process(es) found")
        }
        if let state = cg.freezerState(), state != "THAWED" {
            throw RuntimeError.config(path: "linux.cgroupsPath", problem: "container's cgroup unexpectedly frozen (its freezer says \(state))")
        }
    }

    /// runc's way for a systemd scope: StartTransientUnit with PIDs=[init], which systemd moves
    /// in; init waits for `.cgroupJoined` before anything else (a new cgroup namespace must be
    /// rooted in the scope). The scope cannot be made before the clone for CLONE_INTO_CGROUP:
    /// systemd refuses a scope with no process, and putting roost in it would count roost against
    /// pids.max and charge its memory.
    private static func startScope(
        _ cg: any CgroupDriver, around pid: Int32, _ plan: ContainerPlan, _ directory: StateDirectory, _ rollback: inout Rollback
    ) throws {
        do throws(CgroupError) {
            try cg.startScope(pid: pid, resources: plan.resources, devices: plan.configDevices)
        } catch {
            throw RuntimeError.cgroup(error)
        }
        // Recorded only once systemd made it: until then the name may be another's unit
        // (UnitExists), which neither this rollback nor a delete --force may stop. A create
        // killed before this leaves an empty scope once init dies, which systemd removes.
        try recordCgroups(cg, directory, &rollback)
    }

    private static func recordCgroups(_ cg: any CgroupDriver, _ directory: StateDirectory, _ rollback: inout Rollback) throws {
        rollback.add { cg.remove() }
        try FileIO.writeAtomically(directory.cgroupsFile, Array(cg.directories.map { "\($0.controllers)\t\($0.path)\n" }.joined().utf8))
    }

    /// `--pid-file`: the pid alone, no newline (runc's), written by rename.
    static func writePidFile(_ path: String, _ pid: Int32) throws(SyscallError) {
        try FileIO.writeAtomically(absolutePath(path), Array(String(pid).utf8), mode: 0o644)
    }

    /// uid_map and gid_map are written by the parent, which has privilege over the new namespace.
    private static func writeMaps(_ plan: ContainerPlan, pid: Int32) throws {
        if !plan.uidMap.isEmpty {
            do throws(SyscallError) { try FileIO.writeExisting("/proc/\(pid)/uid_map", plan.uidMap) } catch {
                throw RuntimeError.config(path: "linux.uidMappings", problem: "the kernel refused the map", cause: error)
            }
        }
        if !plan.gidMap.isEmpty {
            do throws(SyscallError) {
                // An unprivileged user may map only its own gid, and only once setgroups is
                // denied in the namespace (user_namespaces(7); runc's rootless path does the same).
                if plan.process.setgroupsDenied { try FileIO.writeExisting("/proc/\(pid)/setgroups", "deny") }
                try FileIO.writeExisting("/proc/\(pid)/gid_map", plan.gidMap)
            } catch {
                throw RuntimeError.config(path: "linux.gidMappings", problem: "the kernel refused the map", cause: error)
            }
        }
    }

    /// Sends a pidfd of a container process over a unix socket, with runc's message: "standard"
    /// for init, "setns" for exec.
    static func sendPidfd(of pid: Int32, to path: String, message: String = "standard") throws {
        guard let pidfd = Processes.pidfd(pid) else { throw RuntimeError.syscall(SyscallError("pidfd_open", "pid \(pid)")) }
        try sendFD(pidfd.raw, to: path, message: message, flag: "--pidfd-socket")
    }

    /// Connects to a unix socket an engine listens on and sends it one descriptor with a message.
    static func sendFD(_ fd: Int32, to path: String, message: String, flag: String) throws {
        let sock = try UnixSocket.connect(path)
        defer { close(sock) }
        do throws(SyscallError) { try UnixSocket.sendFD(sock, fd, message: message.utf8, display: "\(flag) \(path)") } catch {
            throw RuntimeError.syscall(error)
        }
    }

    /// A plain reason when the kernel's OOM killer ended a container's process.
    static func oomExplanation(_ cg: any CgroupDriver) -> String? {
        guard cg.oomKills() > 0 else { return nil }
        let limit = cg.memoryLimit().map { "linux.resources.memory.limit (\($0) bytes)" } ?? "the memory limit"
        return "killed by the OOM killer: \(limit) is too small for this process"
    }
}
