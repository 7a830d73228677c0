import Glibc
import RoostLinux

extension Container {
    public struct RunOptions {
        public var detach = false
        public var keep = false
        public var subreaper = true
        public init() {}
    }

    /// `roost run`: create + start, then in the foreground wait while forwarding signals and
    /// delete (unless `keep`); returns the exit code to leave with (the process's, or 128+N when
    /// signal N killed it). Detached, returns 0 once the process runs.
    public static func run(id: String, stateRoot: String, options: CreateOptions, run: RunOptions = RunOptions()) throws -> Int32 {
        // Grandchildren of a joined pid namespace, orphaned, come back to roost (matches runc).
        if run.subreaper && !run.detach { Processes.setChildSubreaper() }
        let c = try setUp(id: id, stateRoot: stateRoot, options: options)
        guard let state = c.state else { throw RuntimeError.invalidState(id: id, problem: "created without a state") }
        let loaded = LoadedContainer(directory: c.directory, state: state, status: .running)
        var notify: (fd: Int32, host: String)?
        defer { if let n = notify { close(n.fd) } }
        do {
            if let host = NotifyRelay.host { notify = (try NotifyRelay.bind(c.directory), host) }
            c.sync.close()
            try release(c.directory, pid: c.pid, cgroups: state.cgroups)
            try runPoststart(state, c.directory)
        } catch {
            c.sync.close()
            killAndWait(loaded)
            if !run.detach { _ = try? Processes.wait(c.pid) }
            if !run.keep { destroy(loaded) }
            throw error
        }
        if run.detach {
            if let n = notify { NotifyRelay.wait(n.fd, host: n.host, pid: c.pid) }
            return 0
        }
        let code =
            c.consoleMaster >= 0
            ? TerminalProxy.run(master: c.consoleMaster, pid: c.pid, notify: notify)
            : forwardSignalsUntilExit(pid: c.pid, notify: notify)
        if code == 128 + SIGKILL, let cg = state.cgroups, let why = oomExplanation(cg) {
            Diagnostics.warn("container \"\(id)\": \(why)")
        }
        if !run.keep { destroy(loaded) }
        return code
    }

    /// Waits for init with every signal blocked: SIGCHLD reaps, anything else goes to init; with
    /// a notify socket, its first READY= is relayed meanwhile.
    static func forwardSignalsUntilExit(pid: Int32, notify: (fd: Int32, host: String)? = nil) -> Int32 {
        var all = Signals.fullSet()
        var notify = notify
        while true {
            if let n = notify {
                // Wait for a signal or a datagram, whichever comes first.
                let signals = SignalFD()
                var fds = [pollfd(fd: signals.raw, events: Int16(POLLIN), revents: 0), pollfd(fd: n.fd, events: Int16(POLLIN), revents: 0)]
                _ = poll(&fds, 2, -1)
                if fds[1].revents != 0 && NotifyRelay.relayIfReady(n.fd, host: n.host, pid: pid) { notify = nil }
                if fds[0].revents == 0 { continue }
            }
            var info = siginfo_t()
            let sig = sigwaitinfo(&all, &info)
            if sig < 0 { continue }
            if sig == SIGCHLD {
                // Reap every exited child; init's status is the answer.
                while true {
                    var status: Int32 = 0
                    let r = waitpid(-1, &status, WNOHANG)
                    if r <= 0 { break }
                    if r == pid { return ExitStatus(waitStatus: status).shellCode }
                }
                continue
            }
            // matches runc: everything else is forwarded; SIGURG is noise, SIGWINCH is the tty's.
            if sig != SIGURG && sig != SIGWINCH { Glibc.kill(pid, sig) }
        }
    }
}
