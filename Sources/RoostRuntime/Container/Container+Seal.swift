import Glibc
import RoostLinux

/// When roost runs from its sealed binary (ExeSeal; docs/SECURITY.md, "The roost binary").
///
/// A clone of roost (init before `start`, an exec child before its execve) is not dumpable, so
/// its /proc/PID/exe, the host's roost binary, is open only to a process holding CAP_SYS_PTRACE over
/// the host's user namespace that sees the clone's pid. Such a process can exist only in a
/// container of a privileged roost without a user namespace of its own, whose pid namespace holds
/// a process with CAP_SYS_PTRACE in its bounding set, or is shared. In exactly those cases roost
/// re-executes itself from the sealed binary before it clones, so the clone's exe is not the
/// host's file. The re-execution costs about one more start of roost, so the others skip it.
///
/// What marks a pid namespace as shared with such processes, in the container's state directory:
/// `ptrace-visible`, written by an exec whose process may hold CAP_SYS_PTRACE and by a container
/// that joins this one's pid namespace. Every later exec into it runs sealed.
extension Container {
    static let ptraceVisibleMarker = "ptrace-visible"

    /// Re-executes roost from its sealed binary unless it already runs from one. Returns only
    /// in the sealed process (or throws).
    static func runSealed(spareLayer: String, why: String) throws {
        if ExeSeal.isSealed { return }
        Diagnostics.debug("sealing roost's binary: \(why)")
        let e = ExeSeal.reexec(spareLayer: spareLayer)
        throw RuntimeError.child(stage: "seal roost's binary (\(why))", message: "\(e)")
    }

    /// create/run: seals when init could be seen by a ptrace-capable process; a container that
    /// joins the pid namespace of another of this state root marks it, and may not join one whose
    /// init is still roost's unsealed clone (`created`, waiting for start).
    static func sealForCreate(_ plan: ContainerPlan, stateRoot: String) throws {
        guard plan.clonesNeedSealedExe else { return }
        _ = mkdir(stateRoot, 0o711)
        try runSealed(spareLayer: stateRoot, why: plan.ownsPidNamespace ? "the process may hold CAP_SYS_PTRACE" : "its pid namespace is shared")
        guard let join = plan.joins.first(where: { $0.kind == .pid }), let owner = pidNamespaceOwner(join.path, stateRoot: stateRoot) else { return }
        if owner.status == .created && !owner.initSealed {
            throw RuntimeError.config(
                path: "linux.namespaces", problem: "cannot join the pid namespace of container \"\(owner.directory.id)\" before it is started: its init is still roost's clone, whose binary a process with CAP_SYS_PTRACE could reach (CVE-2019-5736)")
        }
        markPtraceVisible(owner.directory)
    }

    /// exec: seals when the exec child could be seen by a ptrace-capable process. A process that
    /// may hold CAP_SYS_PTRACE cannot join a container whose init is still roost's unsealed clone.
    static func sealForExec(
        _ c: LoadedContainer, process: ProcessPlan, containerMayHoldPtrace: Bool, ownUserNamespace: Bool
    ) throws {
        guard geteuid() == 0, !ownUserNamespace else { return }
        let visible = FileIO.exists(c.directory.path + "/" + ptraceVisibleMarker)
        guard process.mayHoldPtrace || containerMayHoldPtrace || !c.state.ownPidNamespace || visible else { return }
        if process.mayHoldPtrace && c.status == .created && !c.initSealed {
            throw RuntimeError.invalidState(
                id: c.state.id,
                problem: "cannot exec a process that may hold CAP_SYS_PTRACE before the container is started: its init is still roost's clone, whose binary such a process could reach (CVE-2019-5736); start it first")
        }
        try runSealed(spareLayer: c.directory.path, why: process.mayHoldPtrace ? "the process may hold CAP_SYS_PTRACE" : "the container's processes may")
        if process.mayHoldPtrace { markPtraceVisible(c.directory) }
    }

    static func markPtraceVisible(_ d: StateDirectory) {
        let fd = open(d.path + "/" + ptraceVisibleMarker, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd >= 0 { close(fd) }
    }

    /// The container of this state root whose init's pid namespace `path` names.
    static func pidNamespaceOwner(_ path: String, stateRoot: String) -> LoadedContainer? {
        var target = stat()
        guard stat(path, &target) == 0, let entries = FileIO.entries(stateRoot) else { return nil }
        for name in entries.map(\.name) {
            guard (try? StateDirectory.validate(id: name)) != nil else { continue }
            guard let c = try? LoadedContainer.load(StateDirectory(root: stateRoot, id: name)), c.status != .stopped else { continue }
            var st = stat()
            if stat("/proc/\(c.state.pid)/ns/pid", &st) == 0 && st.st_ino == target.st_ino && st.st_dev == target.st_dev { return c }
        }
        return nil
    }
}

extension LoadedContainer {
    /// The init was made by a sealed roost (create recorded so by the marker, which a sealed
    /// create writes for itself).
    var initSealed: Bool { FileIO.exists(directory.path + "/" + Container.ptraceVisibleMarker) }
}
