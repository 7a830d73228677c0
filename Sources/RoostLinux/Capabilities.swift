import CRoostShim
import Glibc

/// Linux capabilities by name, in kernel number order (linux/capability.h). The single table for
/// parsing, applying and `roost features`.
public enum Capabilities {
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// The number of a capability by its exact name (`CAP_SYS_ADMIN`; matches runc: `sys_admin`,
    /// `SYS_ADMIN` and `cap_sys_admin` name nothing).
    public static func number(_ name: String) -> Int? { names.firstIndex(of: name) }

    public static let sysPtrace = 19

    /// The highest capability this kernel knows.
    public static let lastCap: Int = Int(roost_last_cap())

    /// A set of capabilities as the kernel's 64-bit mask.
    public struct Set: Equatable, Sendable {
        public var bits: UInt64 = 0
        public init(bits: UInt64 = 0) { self.bits = bits }
        public init(_ numbers: [Int]) { for n in numbers { bits |= 1 << UInt64(n) } }
        public func contains(_ n: Int) -> Bool { bits & (1 << UInt64(n)) != 0 }
        var lo: UInt32 { UInt32(truncatingIfNeeded: bits) }
        var hi: UInt32 { UInt32(truncatingIfNeeded: bits >> 32) }
    }

    /// Drops every capability not in `keep` from the bounding set (needs CAP_SETPCAP).
    public static func limitBounding(to keep: Set) throws(SyscallError) {
        for c in 0...lastCap where !keep.contains(c) {
            if roost_prctl(ROOST_PR_CAPBSET_DROP, UInt(c), 0, 0, 0) != 0, errno != EINVAL {
                throw SyscallError("prctl(PR_CAPBSET_DROP)", names.indices.contains(c) ? names[c] : "\(c)")
            }
        }
    }

    public static func set(effective: Set, permitted: Set, inheritable: Set) throws(SyscallError) {
        let e = [effective.lo, effective.hi], p = [permitted.lo, permitted.hi], i = [inheritable.lo, inheritable.hi]
        try sys("capset") { roost_capset(e, p, i) }
    }

    /// Raises each ambient capability it can; returns those the kernel refused (one that is not
    /// both permitted and inheritable), which runc only warns about.
    public static func raiseAmbient(_ set: Set) -> [String] {
        _ = roost_prctl(ROOST_PR_CAP_AMBIENT, UInt(ROOST_PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
        var refused: [String] = []
        for c in 0...lastCap where set.contains(c) {
            if roost_prctl(ROOST_PR_CAP_AMBIENT, UInt(ROOST_PR_CAP_AMBIENT_RAISE), UInt(c), 0, 0) != 0 {
                refused.append(names.indices.contains(c) ? names[c] : "\(c)")
            }
        }
        return refused
    }
}
