import CRoostShim
import Glibc

/// Pseudo-terminals: allocated from a container's own devpts, and roost's own terminal handling
/// for a foreground `run`/`exec`.
public enum Pty {
    /// A new pair from the devpts whose ptmx node is `ptmx` (verified to be one): (master, peer).
    public static func open(ptmx: String = "/dev/pts/ptmx") throws(SyscallError) -> (master: Int32, peer: Int32) {
        var m: Int32 = -1, p: Int32 = -1
        try sys("open pty", ptmx) { roost_open_pty(ptmx, &m, &p) }
        return (m, p)
    }

    public static func windowSize(_ fd: Int32) -> (rows: UInt16, cols: UInt16)? {
        var r: UInt16 = 0, c: UInt16 = 0
        return roost_get_winsize(fd, &r, &c) == 0 ? (r, c) : nil
    }

    public static func setWindowSize(_ fd: Int32, rows: UInt16, cols: UInt16) {
        _ = roost_set_winsize(fd, rows, cols)
    }

    /// Turns the pty's ONLCR off: a Linux pty starts with it on, which would turn every "\n"
    /// the process writes into "\r\n" on its way to a relay that is not a terminal (runc's
    /// console.ClearONLCR, on the master it relays).
    public static func clearONLCR(_ fd: Int32) throws(SyscallError) {
        try sys("tcsetattr", "pty (clear ONLCR)") { roost_clear_onlcr(fd) }
    }

    /// Makes `peer` the process's stdio and controlling terminal, in a session of its own.
    public static func becomeControllingTerminal(_ peer: Int32) throws(SyscallError) {
        for fd in Int32(0)...2 {
            try sys("dup2", "pty to fd \(fd)") { dup2(peer, fd) }
        }
        if peer > 2 { close(peer) }
        _ = setsid()
        try sys("ioctl(TIOCSCTTY)") { roost_set_controlling_tty(0) }
    }

    /// The caller's terminal in raw mode until `restore`.
    public final class RawMode {
        let fd: Int32
        var saved: [UInt8]
        public init?(_ fd: Int32) {
            guard isatty(fd) == 1 else { return nil }
            self.fd = fd
            saved = [UInt8](repeating: 0, count: roost_termios_size())
            let n = saved.count
            guard saved.withUnsafeMutableBytes({ roost_make_raw(fd, $0.baseAddress, n) }) == 0 else { return nil }
        }
        public func restore() { _ = saved.withUnsafeBytes { roost_restore_termios(fd, $0.baseAddress) } }
    }
}
