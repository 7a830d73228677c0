import Glibc
import RoostLinux

extension Container {
    /// `roost delete [--force] ID`: removes a stopped (or created) container; with `force`, kills a
    /// running one first. A missing id is an error unless `force`.
    public static func delete(id: String, stateRoot: String, force: Bool) throws {
        try StateDirectory.validate(id: id)
        let directory = StateDirectory(root: stateRoot, id: id)
        guard directory.exists else {
            if force { return }
            throw RuntimeError.notFound(id)
        }
        let lock: Lock?
        do { lock = try directory.lock() } catch RuntimeError.notFound(_) where force { return }
        defer { withExtendedLifetime(lock) {} }
        let c: LoadedContainer
        do {
            c = try LoadedContainer.load(directory)
        } catch {
            // An interrupted create leaves a directory without (or with a broken) state.json; its
            // init died with roost (parent-death signal), so only the directory remains.
            if force {
                // Its init died with roost (parent-death signal); end anything else in its
                // cgroup, then remove the cgroup and the directory.
                if let cg = directory.recordedCgroups() {
                    for pid in cg.processes() { Glibc.kill(pid, SIGKILL) }
                    if let e = cg.remove() { Diagnostics.warn("delete: \(e)") }
                }
                directory.remove()
                return
            }
            throw error
        }
        switch c.status {
        case .stopped: break
        case .created: killAndWait(c)
        default:
            guard force else {
                throw RuntimeError.invalidState(id: id, problem: "cannot delete a container that is \(c.status.rawValue) (use --force)")
            }
            killAndWait(c)
        }
        destroy(c)
    }

    /// Removes what a stopped container leaves on the host, then runs the poststop hooks. Its
    /// mounts lived in its own mount namespace and went with its last process. Leftover processes
    /// (a container without a pid namespace) are killed first.
    static func destroy(_ c: LoadedContainer) {
        if !c.state.ownPidNamespace && !c.processes().isEmpty { killAndWait(c) }
        if let e = c.state.cgroups?.remove() { Diagnostics.warn("delete: \(e)") }
        c.directory.remove()
        runPoststop(c.state)
    }

    /// Poststop hooks: a failure is a warning, and the rest still run (runtime-spec step 13).
    static func runPoststop(_ state: ContainerState) {
        guard let hooks = state.hooks?.poststop else { return }
        let doc = HookRunner.stateJSON(id: state.id, status: "stopped", pid: state.pid, bundle: state.bundle, annotations: state.annotations)
        for (i, hook) in hooks.enumerated() {
            do { try HookRunner.run(hook, kind: "poststop", index: i, state: doc) } catch {
                Diagnostics.warn("container \"\(state.id)\": \(error)")
            }
        }
    }
}
