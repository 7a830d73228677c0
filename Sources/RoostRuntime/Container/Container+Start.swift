import Glibc
import RoostCgroups
import RoostLinux

extension Container {
    /// `roost start ID`: releases a created container's init, then runs the poststart hooks.
    public static func start(id: String, stateRoot: String) throws {
        let directory = try directory(id, root: stateRoot)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let c = try LoadedContainer.load(directory)
        guard c.status.canStart else {
            throw RuntimeError.invalidState(id: id, problem: "cannot start a container that is \(c.status.rawValue)")
        }
        // With NOTIFY_SOCKET, start binds the container's socket and returns once it is READY.
        let notify = try NotifyRelay.host.map { host in (try NotifyRelay.bind(directory), host) }
        defer { if let (fd, _) = notify { close(fd) } }
        try release(directory, pid: c.state.pid, cgroups: c.state.cgroups)
        try runPoststart(c.state, directory)
        if let (fd, host) = notify { NotifyRelay.wait(fd, host: host, pid: c.state.pid) }
    }

    /// Releases the init: connecting to exec.sock lets init's blocked accept return; the byte it
    /// writes says it passed it (runc's exec.fifo protocol, over a socket). Init keeps the
    /// connection open until execve closes it, so reading on to end-of-file tells that the user's
    /// process runs, and any text before it is init's error (a startContainer hook, exec itself).
    /// The connection is non-blocking and polled, so an init that died is noticed, not waited for
    /// forever (a zombie counts as dead: `run` is its parent and reaps it only later).
    static func release(_ directory: StateDirectory, pid: Int32, cgroups: (any CgroupDriver)? = nil) throws {
        let died = { () -> RuntimeError in
            .invalidState(id: directory.id, problem: "init exited before it could start" + (cgroups.flatMap(oomExplanation).map { ": " + $0 } ?? ""))
        }
        let fd: FileDescriptor
        do throws(SyscallError) { fd = FileDescriptor(adopting: try UnixSocket.connect(directory.startSocket)) } catch {
            if error.errno == ENOENT { throw RuntimeError.invalidState(id: directory.id, problem: "cannot start a container that is not created") }
            if error.errno == ECONNREFUSED { throw died() }
            throw RuntimeError.syscall(error)
        }
        let raw = fd.raw
        _ = fcntl(raw, F_SETFL, fcntl(raw, F_GETFL) | O_NONBLOCK)
        var pfd = pollfd(fd: raw, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&pfd, 1, 100)
            if r > 0 {
                var byte: UInt8 = 0
                if read(raw, &byte, 1) == 1 { break }
                if errno == EAGAIN { pfd.revents = 0; usleep(1000); continue }
                throw died()
            }
            if r < 0 && errno != EINTR { throw RuntimeError.syscall(SyscallError("poll", directory.startSocket)) }
            if !Status.isAlive(pid: pid, startTime: 0) { throw died() }
        }
        // Passed it: the container is no longer `created`.
        unlink(directory.startSocket)
        var message: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        while true {
            pfd.revents = 0
            let r = poll(&pfd, 1, 100)
            if r < 0 { if errno == EINTR { continue }; break }
            if r == 0 {
                // Still before exec (a startContainer hook runs), unless init is gone.
                if !Status.isAlive(pid: pid, startTime: 0) { break }
                continue
            }
            let n = buf.withUnsafeMutableBytes { read(raw, $0.baseAddress, $0.count) }
            if n > 0 { message.append(contentsOf: buf[0..<n]); continue }
            if n < 0 && errno == EAGAIN { continue }
            break
        }
        _ = consume fd
        if !message.isEmpty {
            throw RuntimeError.child(stage: "container init", message: String(decoding: message, as: UTF8.self))
        }
    }

    /// Poststart hooks; if one fails the container is stopped (runtime-spec lifecycle step 9) and
    /// `delete` finishes it.
    static func runPoststart(_ state: ContainerState, _ directory: StateDirectory) throws {
        guard let hooks = state.hooks?.poststart, !hooks.isEmpty else { return }
        let doc = HookRunner.stateJSON(id: state.id, status: "running", pid: state.pid, bundle: state.bundle, annotations: state.annotations)
        do {
            try HookRunner.run(hooks, kind: "poststart", state: doc)
        } catch {
            killAndWait(LoadedContainer(directory: directory, state: state, status: .running))
            throw RuntimeError.invalidState(id: state.id, problem: "\(error); the container was stopped")
        }
    }
}
