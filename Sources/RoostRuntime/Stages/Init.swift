import Glibc
import RoostCgroups
import RoostLinux

/// The container's init: the cloned child of `create`. It carries the plan out in runc's order
/// (ARCHITECTURE.md, "Order of steps"), reports `created`, waits on exec.sock for `start`, and
/// execs the user's process. It never returns: every failure is sent home as one line and the
/// process exits. It runs in a copy of a single-threaded parent, so ordinary Swift is safe here.
/// The host descriptors it holds are its fields, owned: each is closed once used, before any
/// process of the container can see init (docs/SECURITY.md's fd table).
struct Init: ~Copyable {
    let plan: ContainerPlan
    let sync: SyncSocket
    /// The listening exec.sock, on which init waits for `start`; closed once it connected.
    var startListener: FileDescriptor
    /// fds of the namespaces to join, opened by the parent, in plan.joins order; each closed
    /// once joined.
    var namespaceFDs: FileDescriptors
    /// The container's cgroups, opened by the parent, entered (and closed) by init before
    /// anything else.
    var cgroupJoin: CgroupJoinHandles

    consuming func run() -> Never {
        // First, before anything can see this process: keep only the descriptors init holds.
        // Everything else the parent held (its lock, the caller's strays, the unified cgroup's
        // directory, which the clone was born into) is closed (docs/SECURITY.md).
        FDTable.closeAll(
            from: 3 + plan.preserveFDs, except: [sync.raw, startListener.raw] + namespaceFDs.raws + cgroupJoin.raws)
        Processes.setName("roost:[1:init]")
        let executable: String
        let env: [String]
        do {
            (executable, env) = try setUp()
        } catch let failure as InitFailure {
            try? sync.send(.failed(failure.line))
            _exit(1)
        } catch {
            try? sync.send(.failed("\(error)"))
            _exit(1)
        }
        // Created: from here on, whoever started the container hears of failures through the
        // connection from `start`, which stays open (close-on-exec) until execve.
        let started: Int32
        do { started = try waitForStart() } catch { _exit(1) }
        sync.close()
        do {
            try startAndExec(executable, env)
        } catch let failure as InitFailure {
            let text = Array(failure.line.utf8)
            _ = text.withUnsafeBytes { send(started, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        } catch {}
        _exit(127)
    }

    private mutating func setUp() throws -> (String, [String]) {
        // If roost dies while setting up, so does init: nothing half-made may outlive it.
        Processes.setParentDeathSignal(SIGKILL)
        if let adj = plan.process.oomScoreAdj {
            try step("process.oomScoreAdj") { try FileIO.writeExisting("/proc/self/oom_score_adj", String(adj)) }
        }
        try enterNamespaces()
        if plan.newKeyring {
            // matches runc: a session keyring of the container's own; kernels without keys are fine.
            // With an SELinux label the keyring is created with that context, and later ones
            // get the default again.
            let label = plan.process.selinuxLabel
            if let label { try step("process.selinuxLabel (session keyring)") { try SELinux.setKeyCreateLabel(label) } }
            let name = "_ses.\(plan.id)"
            do { try Processes.joinSessionKeyring(name) } catch {
                if error.errno != ENOSYS && error.errno != EACCES && error.errno != EPERM {
                    throw InitFailure(step: "join session keyring", detail: "\(error)")
                }
            }
            if label != nil { try? SELinux.setKeyCreateLabel("") }
        }
        if plan.createsNetworkNamespace {
            try step("bring up lo") { try Namespaces.bringUpLoopback() }
        }
        umask(0)
        let rootfs = Rootfs(plan: plan)
        if plan.hasMountNamespace {
            try rootfs.prepare()
            try runCreateHooks()
            try rootfs.enter()
            if plan.process.terminal { try setUpConsole(mountConsole: true) }
            try rootfs.finalize()
        } else {
            try runCreateHooks()
            try step("chroot \(plan.rootfs)") {
                try sys("chroot", plan.rootfs) { chroot(plan.rootfs) }
                try sys("chdir", "/") { chdir("/") }
            }
            if plan.process.terminal { try setUpConsole(mountConsole: false) }
        }
        if let h = plan.hostname { try step("set hostname") { try Namespaces.setHostname(h) } }
        if let d = plan.domainname { try step("set domainname") { try Namespaces.setDomainname(d) } }
        try writeSysctls()
        if plan.hasMountNamespace { try rootfs.restrictPaths() }
        let setup = ProcessSetup(process: plan.process, preserveFDs: plan.preserveFDs)
        let (executable, env) = try setup.prepare(sync: sync)

        // Set up: say so, and stop being tied to roost's life (create returns now).
        Processes.setParentDeathSignal(0)
        // With no_new_privs, seccomp as late as runc loads it: before reporting created.
        try setup.loadSeccomp(early: false, sync: sync)
        try step("report to roost") { try sync.send(.created) }
        return (executable, env)
    }

    /// After start: startContainer hooks (in the container, before the user's process), then
    /// only stdio and preserved fds are left, signals are reset, and execve.
    private func startAndExec(_ executable: String, _ env: [String]) throws {
        // startContainer hooks: in the container, after start, before the user's process.
        if let hooks = plan.hooks?.startContainer, !hooks.isEmpty {
            try step("startContainer hooks") {
                try HookRunner.run(hooks, kind: "startContainer", state: hookState("created"))
            }
        }
        try ProcessSetup(process: plan.process, preserveFDs: plan.preserveFDs).exec(executable, env)
    }

    /// A pty from the container's own devpts: its peer becomes /dev/console (bound), stdio and the
    /// controlling terminal; its master goes to roost, which hands it to the console socket or
    /// proxies it (matches runc's setupConsole).
    private func setUpConsole(mountConsole: Bool) throws(InitFailure) {
        try step("process.terminal") {
            let (master, peer) = try Pty.open()
            if let size = plan.process.consoleSize { Pty.setWindowSize(master, rows: size.rows, cols: size.cols) }
            if plan.process.relayedTerminal { try Pty.clearONLCR(master) }
            if mountConsole {
                // CVE-2025-52565: never through a symlink, and bound onto the file just opened,
                // not onto a path looked up again (matches runc's mountConsole).
                let fd = open("/dev/console", O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_RDONLY, 0o666)
                if fd < 0 { throw SyscallError("create", "/dev/console") }
                defer { close(fd) }
                try Mounts.mount("/proc/self/fd/\(peer)", Rootfs.byFD(fd, "/dev/console"), type: nil, flags: .bind, display: "/dev/console")
            }
            try sync.send(SyncMessage.console.bytes, fd: master)
            close(master)
            try Pty.becomeControllingTerminal(peer)
        }
    }

    /// prestart and createRuntime hooks run in roost (runtime namespace) while init waits; then
    /// createContainer hooks run here, in the container's namespaces, before pivot_root.
    private func runCreateHooks() throws(InitFailure) {
        if plan.hasRuntimeHooks {
            try step("prestart/createRuntime hooks") {
                try sync.send(.runtimeHooks)
                guard try sync.next() == .hooksDone else { throw InitFailure(step: "hooks", detail: "roost did not confirm the runtime hooks") }
            }
        }
        if let hooks = plan.hooks?.createContainer, !hooks.isEmpty {
            // matches runc: they run in the container's root (a relative path is the rootfs's).
            try step("createContainer hooks") {
                try sys("chdir", plan.rootfs) { chdir(plan.rootfs) }
                try HookRunner.run(hooks, kind: "createContainer", state: hookState("creating"))
            }
        }
    }

    /// The state hooks in the container's namespace read: the pid as the container sees it.
    private func hookState(_ status: String) -> [UInt8] {
        HookRunner.stateJSON(id: plan.id, status: status, pid: getpid(), bundle: plan.bundle, annotations: plan.annotations)
    }

    /// Joins namespaces by path (user first, mount last), then creates the rest with unshare, and
    /// forks when the pid namespace changed (a process never changes its own pid namespace).
    private mutating func enterNamespaces() throws {
        // Born in the unified cgroup (CLONE_INTO_CGROUP); into the v1 ones before anything else,
        // so the limits hold from here on and a new cgroup namespace is rooted there. A systemd
        // scope is made around init by roost, which says when.
        if let cg = plan.cgroups, cg.madeAroundProcess {
            try step("wait for the systemd scope") {
                guard try sync.next() == .cgroupJoined else { throw InitFailure(step: "cgroup", detail: "roost did not make the systemd scope") }
            }
        } else {
            try step("join the container's cgroups") { try cgroupJoin.join() }
        }
        for (i, join) in plan.joins.enumerated() {
            try step("join \(join.kind.rawValue) namespace \(join.path)") {
                try Namespaces.setns(namespaceFDs.raws[i], join.kind, display: join.path)
            }
            namespaceFDs.close(i)
        }
        if plan.unshareFlags != 0 {
            try step("unshare namespaces") { try Namespaces.unshare(plan.unshareFlags) }
        }
        if !plan.timeOffsets.isEmpty {
            try step("linux.timeOffsets") { try FileIO.writeExisting("/proc/self/timens_offsets", plan.timeOffsets) }
        }
        if plan.createsUserNamespace {
            try step("wait for uid/gid maps") {
                // An unprivileged roost may open /proc/PID/uid_map only of a dumpable process (as
                // runc's nsexec). Nothing of a container can see init yet: it forks into the pid
                // namespace later.
                Processes.setDumpable(true)
                try sync.send(.needMaps)
                guard try sync.next() == .mapsWritten else { throw InitFailure(step: "user namespace", detail: "roost did not write the maps") }
                Processes.setDumpable(false)
                // Become the namespace's root, which the maps name (matches runc's nsexec).
                try Processes.setIDs(uid: 0, gid: 0)
            }
        }
        if plan.forkForPidNamespace { try forkIntoPidNamespace("fork into the pid namespace", sync: sync) }
    }

    private func writeSysctls() throws {
        for (key, value) in plan.sysctls {
            try step("linux.sysctl: \(key)") {
                // Through a verified procfs: a mount over /proc/sys/... must not take the write.
                try ProcFS.write("sys/" + key.replacingOccurrences(".", with: "/"), value)
            }
        }
    }

    /// Blocks until `start` connects to exec.sock (runc's exec.fifo protocol, over a socket),
    /// writes the byte that says init passed it, and keeps the connection for later failures.
    private mutating func waitForStart() throws -> Int32 {
        try step("wait for start on exec.sock") {
            let conn = try sys("accept", "exec.sock") { accept(startListener.raw, nil, nil) }
            _ = fcntl(conn, F_SETFD, FD_CLOEXEC)
            startListener.close()
            var zero: UInt8 = 0x30
            _ = try sys("send", "exec.sock") { send(conn, &zero, 1, Int32(MSG_NOSIGNAL)) }
            return conn
        }
    }

}

extension String {
    func replacingOccurrences(_ a: Character, with b: Character) -> String {
        String(map { $0 == a ? b : $0 })
    }
}
