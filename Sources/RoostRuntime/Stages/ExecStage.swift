import Glibc
import RoostCgroups
import RoostLinux

/// The child of `exec`: enters the container's cgroups (while host paths still resolve), joins
/// its namespaces (user last), forks into its pid/time namespace, then runs ProcessSetup.
/// Failures go home over the sync socket; the socket closing at execve means success.
/// Like Init, it holds its host descriptors as owned fields and closes each once used.
struct ExecStage: ~Copyable {
    let process: ProcessPlan
    let preserveFDs: Int32
    var joins: NamespaceJoins
    /// Opened by roost; the unified one was the clone's CLONE_INTO_CGROUP.
    var cgroupJoin: CgroupJoinHandles
    let sync: SyncSocket

    consuming func run() -> Never {
        // First: only the descriptors this child holds stay open; the unified cgroup's directory
        // (the clone was born into it) and whatever else roost's caller left open are closed
        // before this process can be seen from inside the container (docs/SECURITY.md).
        FDTable.closeAll(from: 3 + preserveFDs, except: [sync.raw] + joins.fds.raws + cgroupJoin.raws)
        Processes.setName("roost:[exec]")
        Processes.setParentDeathSignal(SIGKILL)
        do {
            try enter()
            if process.terminal {
                try step("--tty") {
                    let (master, peer) = try Pty.open()
                    if let size = process.consoleSize { Pty.setWindowSize(master, rows: size.rows, cols: size.cols) }
                    if process.relayedTerminal { try Pty.clearONLCR(master) }
                    try sync.send(SyncMessage.console.bytes, fd: master)
                    close(master)
                    try Pty.becomeControllingTerminal(peer)
                }
            }
            let setup = ProcessSetup(process: process, preserveFDs: preserveFDs)
            let (executable, env) = try setup.prepare(sync: sync)
            // The parent-death signal survives execve: the process must outlive a detached roost.
            Processes.setParentDeathSignal(0)
            // With no_new_privs, seccomp right before exec (runc's setns_init_linux.go).
            try setup.loadSeccomp(early: false, sync: sync)
            try setup.exec(executable, env)
        } catch let failure as InitFailure {
            try? sync.send(.failed(failure.line))
        } catch {
            try? sync.send(.failed("\(error)"))
        }
        _exit(1)
    }

    private func joinUser() throws(InitFailure) {
        try step("join the container's user namespace") {
            try Namespaces.setns(joins.fd(.user), .user, display: "user")
            try Processes.setIDs(uid: 0, gid: 0)
        }
    }

    private mutating func enter() throws(InitFailure) {
        try step("join the container's cgroups") { try cgroupJoin.join() }
        // As root: every namespace but the user one first (roost has the privilege for them as it
        // is), then the user namespace, which takes that privilege away. Without privilege
        // (rootless): the user namespace first, as runc always does - it is what grants the
        // privilege over the others, which the container made inside it.
        let userFirst = geteuid() != 0
        if joins.hasUser && userFirst { try joinUser() }
        for kind in joins.kinds where kind != .user {
            try step("join the container's \(kind.rawValue) namespace") { try Namespaces.setns(joins.fd(kind), kind, display: "pid \(kind.procName)") }
        }
        if joins.hasUser && !userFirst { try joinUser() }
        joins.close()
        if joins.kinds.contains(where: { $0 == .pid || $0 == .time }) {
            try forkIntoPidNamespace("fork into the container's pid namespace", sync: sync)
        }
        try step("enter the container's root") { try sys("chdir", "/") { chdir("/") } }
    }
}
