import CRoostShim
import Glibc

/// Signal names and numbers: one table for `kill`, exit statuses and forwarding.
public enum Signals {
    public static let table: [(name: String, number: Int32)] = [
        ("SIGHUP", 1), ("SIGINT", 2), ("SIGQUIT", 3), ("SIGILL", 4), ("SIGTRAP", 5), ("SIGABRT", 6), ("SIGIOT", 6),
        ("SIGBUS", 7), ("SIGFPE", 8), ("SIGKILL", 9), ("SIGUSR1", 10), ("SIGSEGV", 11), ("SIGUSR2", 12),
        ("SIGPIPE", 13), ("SIGALRM", 14), ("SIGTERM", 15), ("SIGSTKFLT", 16), ("SIGCHLD", 17), ("SIGCONT", 18),
        ("SIGSTOP", 19), ("SIGTSTP", 20), ("SIGTTIN", 21), ("SIGTTOU", 22), ("SIGURG", 23), ("SIGXCPU", 24),
        ("SIGXFSZ", 25), ("SIGVTALRM", 26), ("SIGPROF", 27), ("SIGWINCH", 28), ("SIGIO", 29), ("SIGPOLL", 29),
        ("SIGPWR", 30), ("SIGSYS", 31),
    ]

    /// Parses `KILL`, `SIGKILL`, `9`, or `RTMIN+3`, as runc's kill does.
    public static func parse(_ text: String) -> Int32? {
        if let n = Int32(text), n > 0, n < 65 { return n }
        var name = text.uppercased()
        if !name.hasPrefix("SIG") { name = "SIG" + name }
        if let hit = table.first(where: { $0.name == name }) { return hit.number }
        let rtmin = Int32(34), rtmax = Int32(64)
        if name == "SIGRTMIN" { return rtmin }
        if name == "SIGRTMAX" { return rtmax }
        if name.hasPrefix("SIGRTMIN+"), let k = Int32(name.dropFirst(9)), rtmin + k <= rtmax { return rtmin + k }
        if name.hasPrefix("SIGRTMAX-"), let k = Int32(name.dropFirst(9)), rtmax - k >= rtmin { return rtmax - k }
        return nil
    }

    /// A sigset with every signal, for blocking before clone.
    public static func fullSet() -> sigset_t {
        var s = sigset_t()
        sigfillset(&s)
        return s
    }

    public static func block(_ set: sigset_t) -> sigset_t {
        var s = set
        var old = sigset_t()
        sigprocmask(SIG_BLOCK, &s, &old)
        return old
    }

    public static func setMask(_ set: sigset_t) {
        var s = set
        sigprocmask(SIG_SETMASK, &s, nil)
    }

    /// Puts every signal's disposition back to default, as a fresh exec expects (the child inherits
    /// roost's handlers otherwise; ignored signals would stay ignored across exec).
    public static func resetDispositions() {
        for sig in Int32(1)..<65 where sig != SIGKILL && sig != SIGSTOP {
            signal(sig, SIG_DFL)
        }
    }
}

/// A signalfd(2) for every catchable signal (non-blocking, close-on-exec), for a poll loop that
/// runs with the signals blocked; closed when it goes.
public struct SignalFD: ~Copyable {
    public let raw: Int32

    /// `raw` is -1 when the kernel gives no signalfd: poll(2) skips it and `next` has nothing.
    public init() { raw = roost_signalfd_all() }

    deinit { if raw >= 0 { Glibc.close(raw) } }

    /// The next pending signal's number; nil when none is pending.
    public func next() -> Int32? {
        let sig = roost_signalfd_read(raw)
        return sig < 0 ? nil : sig
    }
}
