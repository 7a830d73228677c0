import CRoostShim
import Glibc
import RoostCgroups
import RoostLinux

/// The namespaces of a container's init that differ from roost's own: what `exec` joins.
struct NamespaceJoin {
    let kind: NamespaceKind
    let fd: Int32

    static func of(pid: Int32) throws -> [NamespaceJoin] {
        var out: [NamespaceJoin] = []
        for kind in NamespaceKind.joinOrder where kind.isAvailable {
            let theirs = "/proc/\(pid)/ns/\(kind.procName)"
            guard let target = try? readlink(theirs) else {
                throw RuntimeError.syscall(SyscallError("readlink", theirs))
            }
            if (try? readlink("/proc/self/ns/\(kind.procName)")) == target { continue }
            let fd = open(theirs, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw RuntimeError.syscall(SyscallError("open", theirs)) }
            out.append(NamespaceJoin(kind: kind, fd: fd))
        }
        return out
    }
}

/// The cgroup directories that put a process where a container's init is, in every hierarchy
/// (v1) and the unified one; with `exec --cgroup`, in a sub-cgroup of it.
enum CgroupJoin {
    /// `sub`: runc's exec --cgroup values, `PATH` for every hierarchy or `CTRL[,CTRL]:PATH` for
    /// those; a named sub-cgroup must exist.
    static func of(pid: Int32, sub: [String] = []) throws -> [CgroupDirectory] {
        var byController: [String: String] = [:]
        var everywhere: String?
        for s in sub {
            if let colon = s.firstIndex(of: ":") {
                for c in s[..<colon].fields(",") { byController[String(c)] = String(s[s.index(after: colon)...]) }
            } else {
                everywhere = s
            }
        }
        let moving = everywhere != nil || !byController.isEmpty
        var out: [CgroupDirectory] = []
        for (controllers, dir, same) in directories(of: pid) {
            let names = controllers.fields(",").map { $0.hasPrefix("name=") ? String($0.dropFirst(5)) : String($0) }
            let wanted = names.lazy.compactMap { byController[$0] }.first ?? everywhere
            if let wanted {
                let target = dir + "/" + wanted.fields("/").joined(separator: "/")
                guard FileIO.isDirectory(target) else {
                    throw RuntimeError.usage("exec --cgroup: \(target) does not exist (the sub-cgroup must exist)")
                }
                out.append(CgroupDirectory(controllers: controllers, path: target))
            } else if !same || moving {
                out.append(CgroupDirectory(controllers: controllers, path: dir))
            }
        }
        return out
    }

    /// (controllers, init's directory, whether roost is already there) per hierarchy.
    private static func directories(of pid: Int32) -> [(String, String, Bool)] {
        guard let theirs = try? CgroupV1.placement(of: String(pid)), let ours = try? CgroupV1.placement() else { return [] }
        return theirs.map { t in
            let same = ours.contains { $0.controllers == t.controllers && $0.path == t.path }
            return (t.controllers, t.mountpoint + (t.path == "/" ? "" : t.path), same)
        }
    }
}

/// The child of `exec`: enters the container's cgroups (while host paths still resolve), joins
/// its namespaces (user last), forks into its pid/time namespace, then runs ProcessSetup.
/// Failures go home over the sync socket; the socket closing at execve means success.
struct ExecStage {
    let process: ProcessPlan
    let preserveFDs: Int32
    let joins: [NamespaceJoin]
    /// Opened by roost; the unified one was the clone's CLONE_INTO_CGROUP.
    let cgroupJoin: CgroupJoinHandles
    let sync: SyncSocket

    func run() -> Never {
        // First: only the descriptors this child uses stay open; the unified cgroup's directory
        // (the clone was born into it) and whatever else roost's caller left open are closed
        // before this process can be seen from inside the container (docs/SECURITY.md).
        FDTable.closeAll(from: 3 + preserveFDs, except: [sync.raw] + joins.map(\.fd) + cgroupJoin.tasks + [cgroupJoin.unifiedProcs])
        Processes.setName("roost:[exec]")
        Processes.setParentDeathSignal(SIGKILL)
        do {
            try enter()
            if process.terminal {
                try step("--tty") {
                    let (master, peer) = try Pty.open()
                    if let size = process.consoleSize { Pty.setWindowSize(master, rows: size.rows, cols: size.cols) }
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

    private func joinUser(_ user: NamespaceJoin) throws(InitFailure) {
        try step("join the container's user namespace") {
            try Namespaces.setns(user.fd, .user, display: "user")
            try Processes.setIDs(uid: 0, gid: 0)
        }
    }

    private func enter() throws(InitFailure) {
        try step("join the container's cgroups") { try cgroupJoin.join() }
        // As root: every namespace but the user one first (roost has the privilege for them as it
        // is), then the user namespace, which takes that privilege away. Without privilege
        // (rootless): the user namespace first, as runc always does - it is what grants the
        // privilege over the others, which the container made inside it.
        let user = joins.first(where: { $0.kind == .user })
        let userFirst = geteuid() != 0
        if let user, userFirst { try joinUser(user) }
        for j in joins where j.kind != .user {
            try step("join the container's \(j.kind.rawValue) namespace") { try Namespaces.setns(j.fd, j.kind, display: "pid \(j.kind.procName)") }
        }
        if let user, !userFirst { try joinUser(user) }
        for j in joins { close(j.fd) }
        if joins.contains(where: { $0.kind == .pid || $0.kind == .time }) {
            try forkIntoPidNamespace("fork into the container's pid namespace", sync: sync)
        }
        try step("enter the container's root") { try sys("chdir", "/") { chdir("/") } }
    }
}
