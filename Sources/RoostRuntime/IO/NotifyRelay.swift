import Glibc
import RoostLinux
import RoostSpec

/// sd_notify for containers under systemd `Type=notify` units (matches runc): when roost runs with
/// NOTIFY_SOCKET, the container gets its own socket at /run/notify/notify.sock (the state
/// directory's notify/ bound read-only), and roost passes the first `READY=` on to the caller's
/// socket with `MAINPID=<init>`, then waits for systemd's barrier.
struct NotifyRelay {
    static let containerDirectory = "/run/notify"
    static let containerSocket = "/run/notify/notify.sock"

    /// The caller's NOTIFY_SOCKET, when set.
    static var host: String? { getenv("NOTIFY_SOCKET").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } }

    static func directory(_ d: StateDirectory) -> String { d.path + "/notify" }

    /// Makes the state directory's notify/ and adds its read-only bind and the environment to the
    /// plan (runc adds them to the spec: the same mount and variable).
    static func prepare(_ plan: inout ContainerPlan, _ d: StateDirectory) throws {
        if mkdir(directory(d), 0o755) != 0 { throw RuntimeError.syscall(SyscallError("mkdir", directory(d))) }
        plan.mounts.append(PlannedMount(
            kind: .bind, destination: containerDirectory, source: directory(d), type: "bind",
            flags: [.bind, .nosuid, .noexec, .nodev, .rdonly], data: "", propagation: [], recursiveSet: [], recursiveClear: [],
            where_: "NOTIFY_SOCKET", sourceIsDirectory: true, remount: true))
        plan.process.env.append("NOTIFY_SOCKET=" + containerSocket)
    }

    /// Binds the container's socket (run binds before start, create leaves it to start).
    static func bind(_ d: StateDirectory) throws -> Int32 {
        do { return try UnixSocket.bindDatagram(directory(d) + "/notify.sock") } catch { throw RuntimeError.syscall(error) }
    }

    /// Reads one datagram; if it holds a READY= line, relays it and returns true.
    static func relayIfReady(_ socket: Int32, host: String, pid: Int32) -> Bool {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        guard n > 0 else { return false }
        let text = String(decoding: buf[0..<n], as: UTF8.self)
        guard let ready = text.fields("\n").first(where: { $0.hasPrefix("READY=") }) else { return false }
        do {
            let client = try UnixSocket.connect(host, datagram: true)
            defer { close(client) }
            for line in [String(ready) + "\n", "MAINPID=\(pid)\n"] {
                _ = line.withCString { send(client, $0, strlen($0), 0) }
            }
            barrier(client)
        } catch {
            Diagnostics.warn("NOTIFY_SOCKET \(host): \(error)")
        }
        return true
    }

    /// sd_notify's BARRIER=1: a pipe's write end goes to systemd, which closes it once it has
    /// handled what came before; wait (30 s at most) for that.
    private static func barrier(_ client: Int32) {
        var p: [Int32] = [-1, -1]
        guard pipe(&p) == 0 else { return }
        defer { close(p[0]) }
        let sent = (try? UnixSocket.sendFD(client, p[1], message: "BARRIER=1".utf8, display: "NOTIFY_SOCKET")) != nil
        close(p[1])
        guard sent else { return }
        var pfd = pollfd(fd: p[0], events: Int16(POLLIN), revents: 0)
        if poll(&pfd, 1, 30_000) == 0 { Diagnostics.warn("NOTIFY_SOCKET: no barrier reply after 30s; going on") }
    }

    /// Waits for READY= from the container (or for init to exit) and relays it: detached run and
    /// start return after this.
    static func wait(_ socket: Int32, host: String, pid: Int32) {
        var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        while Status.isAlive(pid: pid, startTime: 0) {
            pfd.revents = 0
            if poll(&pfd, 1, 100) > 0, relayIfReady(socket, host: host, pid: pid) { return }
        }
    }
}
