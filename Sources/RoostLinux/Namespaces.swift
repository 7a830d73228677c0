import CRoostShim
import Glibc

/// The kernel's namespace kinds with their clone flag and /proc/PID/ns name.
public enum NamespaceKind: String, CaseIterable, Sendable {
    case user, ipc, uts, network, pid, mount, cgroup, time

    public var cloneFlag: UInt64 {
        switch self {
        case .user: ROOST_CLONE_NEWUSER
        case .ipc: ROOST_CLONE_NEWIPC
        case .uts: ROOST_CLONE_NEWUTS
        case .network: ROOST_CLONE_NEWNET
        case .pid: ROOST_CLONE_NEWPID
        case .mount: ROOST_CLONE_NEWNS
        case .cgroup: ROOST_CLONE_NEWCGROUP
        case .time: ROOST_CLONE_NEWTIME
        }
    }

    /// The entry under /proc/PID/ns/.
    public var procName: String {
        switch self {
        case .network: "net"
        case .mount: "mnt"
        default: rawValue
        }
    }

    /// Order of joining and creating: user first (it owns the others), mount last so that paths
    /// opened before it still mean the host's (matches runc's nsexec order).
    public static let joinOrder: [NamespaceKind] = [.user, .ipc, .uts, .network, .pid, .cgroup, .time, .mount]

    /// Whether the kernel offers this namespace (time needs 5.6).
    public var isAvailable: Bool { access("/proc/self/ns/\(procName)", F_OK) == 0 }
}

public enum Namespaces {
    /// sethostname(2), in the UTS namespace.
    public static func setHostname(_ name: String) throws(SyscallError) {
        try sys("sethostname", name) { roost_sethostname(name, name.utf8.count) }
    }

    /// setdomainname(2), in the UTS namespace.
    public static func setDomainname(_ name: String) throws(SyscallError) {
        try sys("setdomainname", name) { roost_setdomainname(name, name.utf8.count) }
    }

    /// Brings up `lo` in the network namespace (ioctl SIOCSIFFLAGS): a new one starts with it down.
    public static func bringUpLoopback() throws(SyscallError) {
        try sys("ioctl(SIOCSIFFLAGS)", "lo") { roost_loopback_up() }
    }

    public static func setns(_ fd: Int32, _ kind: NamespaceKind, display: String) throws(SyscallError) {
        try sys("setns", display) { roost_setns(fd, Int32(truncatingIfNeeded: kind.cloneFlag)) }
    }

    public static func unshare(_ flags: UInt64) throws(SyscallError) {
        try sys("unshare") { roost_unshare(Int32(truncatingIfNeeded: flags)) }
    }

    /// clone3 with fork semantics. Refuses to run in a multi-threaded process: the child would
    /// inherit locks held by threads that do not exist in it (ARCHITECTURE.md §3).
    /// `cgroup`: an fd of a cgroup2 directory the child is born in (CLONE_INTO_CGROUP), or -1.
    ///
    /// Where clone3 is refused with ENOSYS (a kernel before 5.3, or a seccomp profile such as
    /// Docker's default, which refuses it so that libc falls back), plain clone(2) does the rest,
    /// but cannot place the child in `cgroup`: `joinProcs` then receives an fd of that cgroup's
    /// `cgroup.procs`, opened here by the parent, for the child to write itself into (the caller's
    /// JoinHandles does). A time namespace has no clone(2) flag and then fails plainly.
    /// clone(CLONE_PARENT): a child of this process's parent, not of this process (so the one
    /// forked into a pid namespace is roost's to reap).
    public static func cloneSibling() throws(SyscallError) -> pid_t { try clone(flags: ROOST_CLONE_PARENT) }

    public static func clone(flags: UInt64, cgroup: Int32 = -1, joinProcs: UnsafeMutablePointer<Int32>? = nil) throws(SyscallError) -> pid_t {
        let threads = roost_thread_count()
        if threads > 1 { throw SyscallError("clone3", "(process has \(threads) threads)", errno: EDEADLK) }
        let pid = roost_clone3(flags, cgroup)
        if pid >= 0 { return pid }
        let err = errno
        guard err == ENOSYS else { throw SyscallError("clone3", errno: err) }
        if flags & ROOST_CLONE_NEWTIME != 0 {
            throw SyscallError("clone3", "(a time namespace needs clone3, which this system refuses)", errno: err)
        }
        var procs: Int32 = -1
        if cgroup >= 0 {
            guard let joinProcs else { throw SyscallError("clone3", "(no way to join the cgroup without it)", errno: err) }
            procs = try sys("open", "cgroup.procs") { openat(cgroup, "cgroup.procs", O_WRONLY | O_CLOEXEC) }
            joinProcs.pointee = procs
        }
        let child = roost_clone(flags)
        if child < 0 {
            let cloneErr = errno
            if procs >= 0 { Glibc.close(procs); joinProcs?.pointee = -1 }
            throw SyscallError("clone", errno: cloneErr)
        }
        return child
    }
}
