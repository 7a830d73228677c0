// The vocabularies the spec and runc accept, as tables so validation reads as
// lookups and `roost features` can list them. Kernel numbers for these names
// belong to the runtime, not here.

extension Spec.Rlimit {
    /// Matches runc's rlimitMap.
    public static let knownTypes: [String] = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]
}

extension Spec.Scheduler {
    public static let knownPolicies: [String] = [
        "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE",
    ]
    public static let knownFlags: [String] = [
        "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
        "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX",
    ]
}

extension Spec.IOPriority {
    public static let knownClasses: [String] = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"]
}

extension Spec.Mount {
    /// Propagation options, also the values of `linux.rootfsPropagation`
    /// (matches runc's mountPropagationMapping, which accepts the r-forms too).
    public static let propagationOptions: [String] = [
        "rprivate", "private", "rslave", "slave", "rshared", "shared", "runbindable", "unbindable",
    ]

    /// Options that set or clear mount(2) flags (runc's mountFlags table).
    /// "defaults" is absent on purpose: runc maps it to flag 0, which its
    /// parser then treats as filesystem data.
    public static let flagOptions: [String] = [
        "async", "atime", "bind", "dev", "diratime", "dirsync", "exec", "iversion", "lazytime", "loud", "mand",
        "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand", "norelatime",
        "nostrictatime", "nosuid", "nosymfollow", "rbind", "relatime", "remount", "ro", "rw", "silent",
        "strictatime", "suid", "sync", "symfollow",
    ]

    /// mount_setattr(2) recursive attributes (runc's recAttrFlags).
    public static let recursiveAttributeOptions: [String] = [
        "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime",
        "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow",
        "rsymfollow",
    ]

    /// Options the runtime interprets itself.
    public static let extensionOptions: [String] = ["tmpcopyup", "idmap", "ridmap"]

    /// Whether an option is passed to the filesystem as data rather than
    /// interpreted by the runtime (the test runc applies to bind mounts).
    public static func isDataOption(_ option: String) -> Bool {
        !interpretedOptions.contains(option)
    }

    /// All the tables above: engines put dozens of bind mounts in a config,
    /// each option is looked up, and this is cheaper than hashing strings.
    private static let interpretedOptions = ShortStringSet(
        flagOptions + propagationOptions + recursiveAttributeOptions + extensionOptions)

    /// "bind" or "rbind" among the options.
    public var isBind: Bool {
        // Lengths first: comparing unequal strings is the slow path of ==.
        options?.contains { option in
            let count = option.utf8.count
            return (count == 4 && option == "bind") || (count == 5 && option == "rbind")
        } ?? false
    }
}

extension Spec.Device {
    public static let knownTypes: [String] = ["c", "b", "u", "p"]
}

extension Spec.DeviceCgroup {
    public static let knownTypes: [String] = ["a", "b", "c"]
}

extension Spec.Seccomp {
    /// Matches runc's seccomp action table.
    public static let knownActions: [String] = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]
    public static let knownOperators: [String] = [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ",
    ]
    /// The architectures runc (libseccomp) knows; the spec lists a few more
    /// (PARISC, M68K, SH) that runc rejects.
    public static let knownArchitectures: [String] = [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
        "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_LOONGARCH64",
    ]
    /// TSYNC is not in the spec; runc accepts and ignores it.
    public static let knownFlags: [String] = [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ]
    /// A syscall has at most six arguments (libseccomp rejects index > 5).
    public static let maxArgumentIndex: UInt = 5
}

extension Spec.MemoryPolicy {
    public static let knownModes: [String] = [
        "MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL", "MPOL_PREFERRED_MANY",
        "MPOL_WEIGHTED_INTERLEAVE",
    ]
    public static let knownFlags: [String] = ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES", "MPOL_F_NUMA_BALANCING"]
    /// Modes that take no nodes, and modes that need at least one (runc's
    /// validator; MPOL_PREFERRED takes zero or more).
    static let modesWithoutNodes: [String] = ["MPOL_DEFAULT", "MPOL_LOCAL"]
    static let modesNeedingNodes: [String] = [
        "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE",
    ]
}

extension Spec.Personality {
    public static let knownDomains: [String] = ["LINUX", "LINUX32"]
}

extension Spec.TimeOffset {
    /// The clocks a time namespace can offset (/proc/PID/timens_offsets).
    public static let knownClocks: [String] = ["boottime", "monotonic"]
}

extension Spec.Linux {
    /// System V IPC sysctls, namespaced by the IPC namespace (runc's
    /// validSysctlMap; every "fs.mqueue." key is one too).
    static let ipcSysctls: [String] = [
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced",
    ]
}

/// A fixed set of short ASCII words, bucketed by length and first byte, so a
/// lookup is one small computation and a comparison or two.
struct ShortStringSet: Sendable {
    private var buckets: [[String]] = Array(repeating: [], count: 256)

    init(_ words: [String]) {
        for word in words {
            buckets[Self.bucket(word)].append(word)
        }
    }

    func contains(_ word: String) -> Bool {
        buckets[Self.bucket(word)].contains(word)
    }

    private static func bucket(_ word: String) -> Int {
        let utf8 = word.utf8
        guard let first = utf8.first else { return 0 }
        return (utf8.count &* 31 &+ Int(first)) & 255
    }
}
