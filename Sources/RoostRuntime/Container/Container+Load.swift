import Glibc
import RoostLinux

/// A container found in the state root: its directory, recorded state and derived status.
struct LoadedContainer {
    let directory: StateDirectory
    let state: ContainerState
    let status: Status

    static func load(_ directory: StateDirectory) throws -> LoadedContainer {
        let state = try ContainerState.load(directory)
        return LoadedContainer(directory: directory, state: state, status: Status.derive(state, directory))
    }

    /// The pids of every process of the container: those in its recorded pid (else mount)
    /// namespace; just init when it has neither of its own. Works after init is gone, for the
    /// leftovers of a container without a pid namespace.
    func processes() -> [Int32] {
        if let cg = state.cgroups { return cg.processes() }
        guard let target = state.processNamespace, let colon = target.firstIndex(of: ":") else {
            return status == .stopped ? [] : [state.pid]
        }
        let ns = String(target[..<colon])
        var out: [Int32] = []
        for entry in FileIO.entries("/proc") ?? [] {
            guard let pid = Int32(entry.name) else { continue }
            if (try? readlink("/proc/\(pid)/ns/\(ns)")) == target { out.append(pid) }
        }
        return out
    }
}

func readlink(_ path: String) throws -> String {
    var buf = [CChar](repeating: 0, count: 256)
    let n = Glibc.readlink(path, &buf, buf.count - 1)
    if n < 0 { throw SyscallError("readlink", path) }
    return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension Container {
    /// Finds a container by id, validating the id first.
    static func directory(_ id: String, root: String) throws -> StateDirectory {
        try StateDirectory.validate(id: id)
        let d = StateDirectory(root: root, id: id)
        guard d.exists else { throw RuntimeError.notFound(id) }
        return d
    }

    /// A paused container's processes do not act on SIGKILL until thawed (the v1 freezer holds
    /// them in the kernel): thawed once the signal is pending, they die (runc thaws too).
    static func thawToDie(_ c: LoadedContainer) {
        guard let cg = c.state.cgroups, let state = cg.freezerState(), state != "THAWED" else { return }
        do throws(SyscallError) { try cg.setFrozen(false) } catch { Diagnostics.warn("container \"\(c.state.id)\": thaw: \(error)") }
    }

    /// Sends `signal` to init and waits (up to `timeout` seconds) until it is gone.
    static func killAndWait(_ c: LoadedContainer, signal: Int32 = SIGKILL, timeout: Double = 10) {
        let targets = c.state.ownPidNamespace && c.status != .stopped ? [c.state.pid] : c.processes()
        var pidfds = FileDescriptors()
        for pid in targets {
            guard let fd = Processes.pidfd(pid) else { continue }
            // Check the pid still names the container's process now that the pidfd pins it.
            if pid == c.state.pid && !Status.isAlive(pid: pid, startTime: c.state.pidStartTime) { continue }
            try? Processes.signal(fd, signal, display: "pid \(pid)")
            pidfds.append(fd)
        }
        if signal == SIGKILL { thawToDie(c) }
        let deadline = monotonicNow() + timeout
        for fd in pidfds.raws {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&pfd, 1, Int32(max(0, (deadline - monotonicNow()) * 1000))) < 0 && errno == EINTR {}
        }
    }
}
