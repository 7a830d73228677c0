import Glibc
import RoostCgroups
import RoostLinux
import RoostSpec

extension Container {
    /// `roost events`: with `statsOnce`, one stats event; otherwise a stats event every
    /// `interval` seconds and an `oom` event whenever the cgroup OOM-kills, until the container
    /// stops. Each event is one JSON line, as runc's.
    public static func events(id: String, stateRoot: String, statsOnce: Bool, interval: Double, emit: (String) -> Void) throws {
        let directory = try directory(id, root: stateRoot)
        let c = try LoadedContainer.load(directory)
        guard c.status != .stopped else { throw RuntimeError.invalidState(id: id, problem: "container not running") }
        guard let cg = c.state.cgroups else {
            throw RuntimeError.invalidState(id: id, problem: "has no cgroup to read (roost does not manage cgroups on this host yet)")
        }
        func event(_ type: String, _ data: JSONValue?) -> String {
            var fields: [(key: String, value: JSONValue)] = [(key: "type", value: .string(type)), (key: "id", value: .string(id))]
            if let data { fields.append((key: "data", value: data)) }
            return JSONValue.object(fields).serialized()
        }
        if statsOnce {
            emit(event("stats", cg.stats()))
            return
        }
        var oom = cg.oomWatch()
        defer { oom?.close() }
        var next = monotonicNow()
        while Status.derive(c.state, directory) != .stopped {
            if monotonicNow() >= next {
                emit(event("stats", cg.stats()))
                next = monotonicNow() + interval
            }
            var pfd = pollfd(fd: oom?.fd ?? -1, events: oom?.events ?? 0, revents: 0)
            let wait = Int32(max(0, min(next - monotonicNow(), 0.5)) * 1000)
            if poll(&pfd, 1, wait) > 0, oom != nil, oom!.take() > 0 { emit(event("oom", nil)) }
        }
    }
}
