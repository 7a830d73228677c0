import Glibc
import RoostLinux

extension Container {
    /// `roost run` in the foreground: create, start, wait while forwarding signals, delete; returns
    /// the exit code to leave with (the process's, or 128+N when signal N killed it).
    public static func run(id: String, stateRoot: String, options: CreateOptions) throws -> Int32 {
        // Grandchildren of a joined pid namespace, orphaned, come back to roost (matches runc).
        Processes.setChildSubreaper()
        let c = try create(id: id, stateRoot: stateRoot, options: options)
        defer {
            c.sync.close()
            destroy(c.directory)
        }
        do {
            try release(c.directory, pid: c.pid)
            // The sync socket closes on a successful exec; a message means exec failed.
            if case .failed(let line)? = try c.sync.next() {
                _ = try? Processes.wait(c.pid)
                throw RuntimeError.child(stage: "container init", message: line)
            }
        } catch {
            kill(c.pid, SIGKILL)
            _ = try? Processes.wait(c.pid)
            throw error
        }
        return forwardSignalsUntilExit(pid: c.pid)
    }

    /// Waits for init with every signal blocked: SIGCHLD reaps, anything else goes to init.
    static func forwardSignalsUntilExit(pid: Int32) -> Int32 {
        var all = Signals.fullSet()
        while true {
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
            if sig != SIGURG && sig != SIGWINCH { kill(pid, sig) }
        }
    }
}
