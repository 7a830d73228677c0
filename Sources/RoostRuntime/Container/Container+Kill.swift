import Glibc
import RoostLinux

extension Container {
    /// `roost kill ID [SIGNAL]`: signals init, or with `all` every process of the container.
    public static func kill(id: String, stateRoot: String, signal: Int32, all: Bool) throws {
        let directory = try directory(id, root: stateRoot)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let c = try LoadedContainer.load(directory)
        guard c.status.canSignal else {
            // matches runc: signalling every process of a stopped container is not an error.
            if all { return }
            throw RuntimeError.invalidState(id: id, problem: "container not running")
        }
        let targets = all ? c.processes() : [c.state.pid]
        for pid in targets {
            guard let fd = Processes.pidfd(pid) else { continue }
            if pid == c.state.pid && !Status.isAlive(pid: pid, startTime: c.state.pidStartTime) { continue }
            do throws(SyscallError) { try Processes.signal(fd, signal, display: "pid \(pid)") } catch {
                if error.errno != ESRCH && !all { throw RuntimeError.syscall(error) }
            }
        }
        if signal == SIGKILL { thawToDie(c) }
    }
}
