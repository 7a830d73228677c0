import Glibc
import RoostLinux

/// A foreground `run` or `exec` with a terminal and no console socket: roost copies its stdin to
/// the pty master and the master to its stdout, with its own terminal (if any) in raw mode, and
/// passes window-size changes on. Signals arrive through a signalfd (they are blocked): SIGCHLD
/// reaps, SIGWINCH resizes, the rest go to the process.
enum TerminalProxy {
    static func run(master: Int32, pid: Int32, notify: (fd: Int32, host: String)? = nil) -> Int32 {
        var notify = notify
        let raw = Pty.RawMode(0)
        defer { raw?.restore() }
        if let size = Pty.windowSize(0) { Pty.setWindowSize(master, rows: size.rows, cols: size.cols) }
        let signals = SignalFD()
        var stdinOpen = true
        var masterOpen = true
        var exitCode: Int32?
        var buf = [UInt8](repeating: 0, count: 16384)
        while masterOpen || exitCode == nil {
            var fds = [
                pollfd(fd: signals.raw, events: Int16(POLLIN), revents: 0),
                pollfd(fd: masterOpen ? master : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: stdinOpen ? 0 : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: notify?.fd ?? -1, events: Int16(POLLIN), revents: 0),
            ]
            // Once the process is gone, drain what the pty still holds, briefly.
            let r = poll(&fds, 4, exitCode == nil ? -1 : 200)
            if r < 0 { if errno == EINTR { continue }; break }
            if r == 0 { break }
            if fds[0].revents != 0 {
                while let sig = signals.next() {
                    switch sig {
                    case SIGCHLD:
                        while true {
                            var status: Int32 = 0
                            let w = waitpid(-1, &status, WNOHANG)
                            if w <= 0 { break }
                            if w == pid { exitCode = ExitStatus(waitStatus: status).shellCode }
                        }
                    case SIGWINCH:
                        if let size = Pty.windowSize(0) { Pty.setWindowSize(master, rows: size.rows, cols: size.cols) }
                    case SIGURG: break
                    default: Glibc.kill(pid, sig)
                    }
                }
            }
            if fds[1].revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n > 0 { writeAll(1, buf, n) } else if n == 0 || errno != EAGAIN { masterOpen = false }
            }
            if fds[3].revents != 0, let n = notify, NotifyRelay.relayIfReady(n.fd, host: n.host, pid: pid) { notify = nil }
            if fds[2].revents != 0 {
                let n = buf.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n > 0 { writeAll(master, buf, n) } else { stdinOpen = false }
            }
        }
        close(master)
        return exitCode ?? 1
    }

    private static func writeAll(_ fd: Int32, _ buf: [UInt8], _ count: Int) {
        var off = 0
        while off < count {
            let w = buf.withUnsafeBytes { write(fd, $0.baseAddress! + off, count - off) }
            if w < 0 { if errno == EINTR { continue }; return }
            off += w
        }
    }
}
