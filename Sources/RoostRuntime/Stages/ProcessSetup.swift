import Glibc
import RoostLinux

/// The last steps before the user's program, shared by a container's init and by `exec`:
/// rlimits, cwd (checked inside the root), HOME, `args[0]` in the container's PATH, groups and ids,
/// capabilities, no_new_privs, umask; then only stdio and preserved fds, default signals, execve.
struct ProcessSetup {
    let process: ProcessPlan
    let preserveFDs: Int32

    /// Everything up to (not including) exec; returns the executable and the environment.
    /// `sync` carries a seccomp listener fd to roost.
    func prepare(sync: SyncSocket? = nil) throws -> (String, [String]) {
        let p = process
        // Before seccomp, which may refuse close_range or fcntl: every fd opened from here on
        // is close-on-exec already (matches runc's CloseExecFrom in its init's first steps).
        try step("close file descriptors") { try closeInheritedFDs() }
        // matches runc: the profile is asked for before the user and capabilities change.
        if let profile = p.apparmorProfile {
            try step("process.apparmorProfile") { try AppArmor.changeOnExec(profile) }
        }
        for r in p.rlimits {
            try step("process.rlimits: \(Rlimits.names[Int(r.resource)])") {
                do { try Rlimits.set(r.resource, soft: r.soft, hard: r.hard) } catch let e as SyscallError where e.errno == EPERM {
                    throw InitFailure(step: "process.rlimits", detail: "setrlimit \(Rlimits.names[Int(r.resource)]) soft=\(r.soft) hard=\(r.hard): Operation not permitted (raising a hard limit needs CAP_SYS_RESOURCE)")
                }
            }
        }
        // matches runc: the context the execve switches to, set after the rlimits and before
        // seccomp and the change of user (standard_init_linux.go, setns_init_linux.go).
        if let label = p.selinuxLabel {
            try step("process.selinuxLabel") { try SELinux.setExecLabel(label) }
        }
        var env = p.env
        // Without no_new_privs loading seccomp needs CAP_SYS_ADMIN: before switchUser (runc).
        try loadSeccomp(early: true, sync: sync)
        let executable = try resolveProcess(env: &env)
        if p.noNewPrivileges {
            try step("process.noNewPrivileges") { try Processes.setNoNewPrivileges() }
        }
        umask(mode_t(p.umask))
        return (executable, env)
    }

    /// Resets signals and execs (only stdio and preserved fds cross it: `prepare` marked the
    /// rest); returns only by throwing.
    func exec(_ executable: String, _ env: [String]) throws {
        // The process starts with default dispositions and nothing blocked, whatever roost's
        // caller left blocked (matches runc).
        Signals.resetDispositions()
        var empty = sigset_t()
        sigemptyset(&empty)
        Signals.setMask(empty)
        let argv = process.args.map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        throw InitFailure(step: "process.args[0]", detail: "\(Processes.execve(executable, argv, envp))")
    }

    /// runc's prepareEnv: each name once, with its last value, in the order of those last
    /// values; an empty HOME counts as none, and a missing one is the user's home from the
    /// container's /etc/passwd.
    static func preparedEnvironment(_ env: [String], home: () -> String) -> [String] {
        var seen = Set<Substring>()
        var out: [String] = []
        var homeIsSet = false
        for kv in env.reversed() {
            let key = kv.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard seen.insert(key).inserted else { continue }
            if key == "HOME" {
                if kv.utf8.count == 5 { continue }  // "HOME="
                homeIsSet = true
            }
            out.append(kv)
        }
        out.reverse()
        if !homeIsSet { out.append("HOME=" + home()) }
        return out
    }

    /// cwd, HOME and args[0] as the user's process will see them. Done before start, so `create`
    /// already fails for a process that cannot be executed (matches runc).
    func resolveProcess(env: inout [String]) throws -> String {
        let p = process
        // matches runc: a missing cwd is created inside the root; chdir happens as root and, if
        // root may not enter it, again as the container's user.
        let early = chdir(p.cwd) == 0
        let earlyErrno = errno
        if !early && earlyErrno != EPERM && earlyErrno != EACCES {
            throw InitFailure(step: "process.cwd", detail: "\(SyscallError("chdir", p.cwd, errno: earlyErrno))")
        }
        try switchUser()
        if !early && chdir(p.cwd) != 0 {
            throw InitFailure(step: "process.cwd", detail: "\(SyscallError("chdir", p.cwd))")
        }
        // CVE-2024-21626: the working directory must be inside the container's root.
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if getcwd(&buf, buf.count) == nil || buf[0] != CChar(UInt8(ascii: "/")) {
            throw InitFailure(step: "process.cwd", detail: "\(p.cwd) is outside the container's root")
        }
        env = Self.preparedEnvironment(env, home: { homeDirectory(uid: p.uid) })
        let name = p.args[0]
        if name.contains("/") {
            try checkExecutable(name, as: name)
            return name
        }
        let pathValue = env.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) } ?? ""
        var denied: String?
        for dir in pathValue.fields(":", omittingEmpty: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + name
            var st = stat()
            guard stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            denied = candidate
        }
        if let denied {
            throw InitFailure(step: "process.args[0]", detail: "exec \"\(name)\": \(denied) is not executable")
        }
        throw InitFailure(step: "process.args[0]", detail: "exec \"\(name)\": executable file not found in the container's PATH (\(pathValue))")
    }

    func checkExecutable(_ path: String, as name: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InitFailure(step: "process.args[0]", detail: "exec \"\(name)\": no such file in the container")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG, access(path, X_OK) == 0 else {
            throw InitFailure(step: "process.args[0]", detail: "exec \"\(name)\": not an executable file")
        }
    }

    /// The user's home from the container's /etc/passwd, "/" when it has none (matches runc).
    func homeDirectory(uid: UInt32) -> String {
        guard let bytes = try? FileIO.read("/etc/passwd") else { return "/" }
        for line in String(decoding: bytes, as: UTF8.self).fields("\n") {
            let f = line.fields(":", omittingEmpty: false)
            if f.count >= 6, UInt32(f[2]) == uid { return String(f[5]) }
        }
        return "/"
    }

    /// Bounding set, then groups and ids with PR_SET_KEEPCAPS, then the remaining capability sets
    /// (matches runc's finalizeNamespace order).
    func switchUser() throws {
        let p = process
        let caps = p.capabilities
        try step("process.capabilities.bounding") { if let caps { try Capabilities.limitBounding(to: caps.bounding) } }
        try step("process.user") {
            try FDTable.giveStdio(to: p.uid)
            Processes.setKeepCapabilities(true)
            // matches runc: where setgroups is denied (the user namespace of an unprivileged
            // roost), the supplementary groups stay as they are.
            if !p.setgroupsDenied {
                try Processes.setGroups(p.additionalGids)
            }
            try Processes.setIDs(uid: p.uid, gid: p.gid)
            Processes.setKeepCapabilities(false)
            // A change of ids sets dumpable to fs.suid_dumpable, which may be 1: not dumpable
            // until execve, whatever the host's setting (docs/SECURITY.md).
            Processes.setDumpable(false)
        }
        try step("process.capabilities") {
            guard let caps else { return }
            try Capabilities.set(effective: caps.effective, permitted: caps.permitted, inheritable: caps.inheritable)
            // matches runc: an ambient capability that is not also inheritable is skipped, not an
            // error (the parent warned about it when it made the plan).
            _ = Capabilities.raiseAmbient(caps.ambient)
        }
    }

    /// Only stdio and --preserve-fds cross exec (CVE-2024-21626): everything else is close-on-exec.
    func closeInheritedFDs() throws {
        try FDTable.closeOnExec(from: Int32(3 + preserveFDs))
        for fd in 3..<(3 + preserveFDs) {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) }
        }
    }
}
