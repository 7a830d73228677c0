import CRoostShim
import Glibc

/// How a process ended, and the exit code a shell reports for it (128+N for signal N).
public enum ExitStatus: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus s: Int32) {
        if roost_wifsignaled(s) != 0 { self = .signaled(roost_wtermsig(s)) } else { self = .exited(roost_wexitstatus(s)) }
    }

    public var shellCode: Int32 {
        switch self {
        case .exited(let c): c
        case .signaled(let s): 128 + s
        }
    }
}

public enum Processes {
    /// pidfd_open(2): an fd that names `pid` for as long as it is held, or nil (gone, or no pidfds).
    public static func pidfd(_ pid: pid_t) -> FileDescriptor? {
        let fd = roost_pidfd_open(pid, 0)
        return fd >= 0 ? FileDescriptor(adopting: fd) : nil
    }

    /// pidfd_send_signal(2): never a recycled pid.
    public static func signal(_ pidfd: borrowing FileDescriptor, _ sig: Int32, display: String) throws(SyscallError) {
        try sys("kill", display) { roost_pidfd_send_signal(pidfd.raw, sig) }
    }

    /// setresgid then setresuid, real, effective and saved alike (the order that keeps the right to
    /// change the gid).
    public static func setIDs(uid: UInt32, gid: UInt32) throws(SyscallError) {
        try sys("setresgid", "\(gid)") { roost_setresgid(gid, gid, gid) }
        try sys("setresuid", "\(uid)") { roost_setresuid(uid, uid, uid) }
    }

    /// waitpid(2) for one child, retrying EINTR.
    public static func wait(_ pid: pid_t, flags: Int32 = 0) throws(SyscallError) -> (pid_t, ExitStatus?) {
        var status: Int32 = 0
        let r = try sys("waitpid", "\(pid)") { waitpid(pid, &status, flags) }
        if r == 0 { return (0, nil) }
        return (r, ExitStatus(waitStatus: status))
    }

    /// PR_SET_NO_NEW_PRIVS: no later execve can grant privileges (setuid bits, file capabilities).
    public static func setNoNewPrivileges() throws(SyscallError) {
        try sys("prctl(PR_SET_NO_NEW_PRIVS)") { roost_prctl(ROOST_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }
    }

    /// PR_SET_KEEPCAPS: whether the permitted capabilities survive a change of uid away from 0.
    public static func setKeepCapabilities(_ on: Bool) {
        _ = roost_prctl(ROOST_PR_SET_KEEPCAPS, on ? 1 : 0, 0, 0, 0)
    }

    /// setgroups(2): the supplementary groups.
    public static func setGroups(_ gids: [UInt32]) throws(SyscallError) {
        try sys("setgroups", "\(gids)") { roost_setgroups(gids.count, gids) }
    }

    /// keyctl(KEYCTL_JOIN_SESSION_KEYRING): a new session keyring named `name`, joined.
    public static func joinSessionKeyring(_ name: String) throws(SyscallError) {
        try sys("keyctl", name) { roost_join_session_keyring(name) }
    }

    /// execve(2) with the argument and environment vectors already built (nil-terminated C
    /// strings), so a forked child allocates nothing for them. Returns only on failure: the error.
    public static func execve(_ path: String, _ argv: [UnsafeMutablePointer<CChar>?], _ envp: [UnsafeMutablePointer<CChar>?]) -> SyscallError {
        roost_execve(path, argv, envp)
        return SyscallError("exec", path)
    }

    public static func setChildSubreaper() {
        _ = roost_prctl(ROOST_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    }

    public static func setParentDeathSignal(_ sig: Int32) {
        _ = roost_prctl(ROOST_PR_SET_PDEATHSIG, UInt(sig), 0, 0, 0)
    }

    /// PR_SET_DUMPABLE. A process that is not dumpable has its /proc/PID/{exe,fd,cwd,root,mem,
    /// environ,map_files} closed to everyone without CAP_SYS_PTRACE over the host's user namespace:
    /// roost's clones (init, the exec child) stay so until execve, which makes the user's program
    /// dumpable again (docs/SECURITY.md).
    public static func setDumpable(_ on: Bool) {
        _ = roost_prctl(ROOST_PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0)
    }

    /// Names the process in `ps` (comm, 15 bytes): stages show as `roost:[1:init]`.
    public static func setName(_ name: String) {
        name.withCString { p in _ = roost_prctl(ROOST_PR_SET_NAME, UInt(bitPattern: p), 0, 0, 0) }
    }

    /// Start time in clock ticks since boot (field 22 of /proc/PID/stat): with the pid, it names a
    /// process uniquely, so a recycled pid is never taken for a container's init.
    public static func startTime(_ pid: pid_t) -> UInt64? {
        guard let bytes = try? FileIO.read("/proc/\(pid)/stat") else { return nil }
        return startTime(stat: bytes)
    }

    /// The start time from an already-read /proc/PID/stat.
    public static func startTime(stat bytes: [UInt8]) -> UInt64? {
        // comm may contain spaces and parentheses: fields start after the last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        var field = 2
        var value: UInt64 = 0
        var inValue = false
        for b in bytes[(close + 1)...] {
            if b == UInt8(ascii: " ") {
                if inValue { if field == 22 { return value }; inValue = false }
                continue
            }
            if !inValue { inValue = true; field += 1; value = 0 }
            if field == 22 { value = value &* 10 &+ UInt64(b &- 48) }
        }
        return field == 22 ? value : nil
    }
}
