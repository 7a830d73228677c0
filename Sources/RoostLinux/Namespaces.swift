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
    public static func setns(_ fd: Int32, _ kind: NamespaceKind, display: String) throws(SyscallError) {
        try sys("setns", display) { roost_setns(fd, Int32(truncatingIfNeeded: kind.cloneFlag)) }
    }

    public static func unshare(_ flags: UInt64) throws(SyscallError) {
        try sys("unshare") { roost_unshare(Int32(truncatingIfNeeded: flags)) }
    }

    /// clone3 with fork semantics. Refuses to run in a multi-threaded process: the child would
    /// inherit locks held by threads that do not exist in it (ARCHITECTURE.md §3).
    /// `cgroup`: an fd of a cgroup2 directory the child is born in (CLONE_INTO_CGROUP), or -1.
    public static func clone(flags: UInt64, pidfd: UnsafeMutablePointer<Int32>? = nil, cgroup: Int32 = -1) throws(SyscallError) -> pid_t {
        let threads = roost_thread_count()
        if threads > 1 { throw SyscallError("clone3", "(process has \(threads) threads)", errno: EDEADLK) }
        return try sys("clone3") { roost_clone3(flags, pidfd, cgroup) }
    }
}
