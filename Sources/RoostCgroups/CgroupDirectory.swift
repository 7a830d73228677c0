import Glibc
import RoostLinux

/// One directory of a container's cgroup, in any driver (v1's one per hierarchy, v2's and
/// systemd's unified one).
public struct CgroupDirectory: Sendable, Equatable {
    /// The hierarchy's controllers as /proc/self/cgroup names them ("cpu", "name=systemd",
    /// "" for the unified hierarchy).
    public var controllers: String
    public var path: String
    public init(controllers: String, path: String) {
        self.controllers = controllers
        self.path = path
    }
}

/// What lets a process enter these cgroups itself, opened by roost before it clones: a
/// `tasks` fd per v1 hierarchy (the process writes "0", its own thread, to each) and an fd of
/// the unified hierarchy's directory for clone3's CLONE_INTO_CGROUP. Neither takes the kernel's
/// cgroup_threadgroup_rwsem for writing, whose first taking after a quiet spell waits ~10 ms
/// for an RCU grace period — as writing a pid to cgroup.procs does. A single-threaded
/// process's thread is the whole process.
public struct CgroupJoinHandles: Sendable {
    public var tasks: [Int32] = []
    public var unified: Int32 = -1
    /// The unified cgroup's cgroup.procs, opened only where the child could not be born in it
    /// (Namespaces.clone without clone3).
    public var unifiedProcs: Int32 = -1
    public init() {}

    /// In the child, first thing: moves the calling (single-threaded) process into every v1
    /// directory (and the unified one when it was not born there), and closes the fds.
    public func join() throws(SyscallError) {
        for fd in tasks + (unifiedProcs >= 0 ? [unifiedProcs] : []) {
            let ok = write(fd, "0", 1) == 1
            let err = errno
            Glibc.close(fd)
            if !ok { throw SyscallError("write", "\(fd == unifiedProcs ? "cgroup.procs" : "tasks") (joining the container's cgroup)", errno: err) }
        }
    }

    public func close() {
        for fd in tasks { Glibc.close(fd) }
        if unified >= 0 { Glibc.close(unified) }
        if unifiedProcs >= 0 { Glibc.close(unifiedProcs) }
    }

    public static func open(_ directories: [CgroupDirectory]) throws(SyscallError) -> CgroupJoinHandles {
        var h = CgroupJoinHandles()
        do throws(SyscallError) {
            for d in directories {
                if d.controllers.isEmpty {
                    h.unified = try sys("open", d.path) { Glibc.open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
                } else {
                    let file = d.path + "/tasks"
                    h.tasks.append(try sys("open", file) { Glibc.open(file, O_WRONLY | O_CLOEXEC) })
                }
            }
        } catch {
            h.close()
            throw error
        }
        return h
    }
}
