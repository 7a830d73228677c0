import Glibc
import RoostCgroups
import RoostLinux

extension Container {
    /// `roost pause` / `roost resume`: the cgroup freezer (v1 freezer.state).
    public static func setPaused(id: String, stateRoot: String, _ paused: Bool) throws {
        let directory = try directory(id, root: stateRoot)
        let lock = try directory.lock()
        defer { withExtendedLifetime(lock) {} }
        let c = try LoadedContainer.load(directory)
        guard let cg = c.state.cgroups, cg.canFreeze else {
            throw RuntimeError.invalidState(id: id, problem: "has no freezer cgroup to \(paused ? "pause" : "resume") it with")
        }
        switch (paused, c.status) {
        case (true, .running), (true, .created), (false, .paused): break
        case (true, _): throw RuntimeError.invalidState(id: id, problem: "cannot pause a container that is \(c.status.rawValue)")
        case (false, _): throw RuntimeError.invalidState(id: id, problem: "cannot resume a container that is \(c.status.rawValue)")
        }
        do { try cg.setFrozen(paused) } catch { throw RuntimeError.syscall(error) }
    }

    /// The pids of a container's processes (host view), for `roost ps`.
    public static func processIDs(id: String, stateRoot: String) throws -> [Int32] {
        let directory = try directory(id, root: stateRoot)
        let c = try LoadedContainer.load(directory)
        guard c.status != .stopped else { return [] }
        return c.processes().sorted()
    }
}
