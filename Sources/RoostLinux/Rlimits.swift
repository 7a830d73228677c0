import Glibc

/// Resource limits by name (the spec's RLIMIT_* strings), in kernel number order.
public enum Rlimits {
    public static let names: [String] = [
        "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC",
        "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE",
        "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
    ]

    public static func number(_ name: String) -> Int32? { names.firstIndex(of: name).map(Int32.init) }

    /// Wraps prlimit(2) on the calling process.
    public static func set(_ resource: Int32, soft: UInt64, hard: UInt64) throws(SyscallError) {
        var lim = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        try sys("setrlimit", names[Int(resource)]) { setrlimit(__rlimit_resource_t(UInt32(resource)), &lim) }
    }
}
