import Glibc
import RoostLinux

/// The parent's side of the sync protocol with a child roost cloned: init (create) or the exec
/// child (exec). Both sides of the socket speak `SyncMessage`; the sequence diagram is in
/// docs/ARCHITECTURE.md ("The sync protocol"). What both children may send is handled here once:
/// the pty master, the seccomp listener, the pid of the child forked into a joined pid namespace,
/// a failure; `next` returns only what the caller must answer.
struct ChildDriver {
    let socket: SyncSocket
    /// The pid clone returned.
    let cloned: Int32
    /// The child that goes on to execve: `cloned`, or the child it forked into a joined pid
    /// namespace once that one's pid arrived (the clone is reaped then).
    private(set) var pid: Int32
    /// The pty master the child sent, owned here until `takeConsole` (-1: none).
    private(set) var console: Int32 = -1
    /// Names the child in errors: "container init" or "exec".
    let stage: String

    init(socket: SyncSocket, cloned: Int32, stage: String) {
        self.socket = socket
        self.cloned = cloned
        self.pid = cloned
        self.stage = stage
    }

    /// What the caller answers or ends on.
    enum Event {
        /// Init made a user namespace: write its maps, then send `.mapsWritten`.
        case needMaps
        /// Init's mounts are done: run prestart/createRuntime hooks, then send `.hooksDone`.
        case runtimeHooks
        /// Init is set up and waits for start.
        case created
        /// The child closed its end: the exec child by execve, init by dying.
        case closed
    }

    /// Reads until a message the caller must answer. `seccompListener` gets the listener fd (closed
    /// here afterwards) and the pid of the filtered process.
    mutating func next(seccompListener: (_ fd: Int32, _ pid: Int32) throws -> Void) throws -> Event {
        while true {
            let (message, fd) = try socket.nextWithFD()
            if fd >= 0 && message != .console && message != .seccompListener { close(fd) }
            switch message {
            case .console:
                if console >= 0 { close(console) }
                console = fd
            case .seccompListener:
                defer { if fd >= 0 { close(fd) } }
                guard fd >= 0 else { throw RuntimeError.child(stage: "sync", message: "seccomp listener without an fd") }
                try seccompListener(fd, pid)
            case .pid(let p):
                _ = try? Processes.wait(cloned)
                pid = p
            case .failed(let line):
                throw RuntimeError.child(stage: stage, message: line)
            case .needMaps: return .needMaps
            case .runtimeHooks: return .runtimeHooks
            case .created: return .created
            case nil: return .closed
            case .mapsWritten, .hooksDone, .cgroupJoined:
                throw RuntimeError.child(stage: "sync", message: "unexpected message from \(stage)")
            }
        }
    }

    func send(_ message: SyncMessage) throws {
        do throws(SyscallError) { try socket.send(message) } catch { throw RuntimeError.syscall(error) }
    }

    /// The pty master, now the caller's to close.
    mutating func takeConsole() -> Int32 {
        defer { console = -1 }
        return console
    }

    /// After a failure: kills and reaps the child (and the clone, if it forked) and closes the pty.
    mutating func abandon() {
        if console >= 0 { close(takeConsole()) }
        Glibc.kill(pid, SIGKILL)
        if pid != cloned {
            Glibc.kill(cloned, SIGKILL)
            _ = try? Processes.wait(cloned)
        }
        _ = try? Processes.wait(pid)
    }
}
