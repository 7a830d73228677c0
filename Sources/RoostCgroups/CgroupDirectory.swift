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
/// process's thread is the whole process. Owned: what is still open closes when they go.
public struct CgroupJoinHandles: ~Copyable {
    public private(set) var tasks: [Int32] = []
    public private(set) var unified: Int32 = -1
    /// The unified cgroup's cgroup.procs, opened only where the child could not be born in it
    /// (Namespaces.clone without clone3, which opens it).
    public var unifiedProcs: Int32 = -1
    public init() {}

    deinit { for fd in raws { Glibc.close(fd) } }

    /// Every descriptor held, for the child's list of what to keep open.
    public var raws: [Int32] { (tasks + [unified, unifiedProcs]).filter { $0 >= 0 } }

    /// In the child, first thing: moves the calling (single-threaded) process into every v1
    /// directory (and the unified one when it was not born there), and closes the fds.
    public mutating func join() throws(SyscallError) {
        defer { closeAll() }
        for fd in tasks + (unifiedProcs >= 0 ? [unifiedProcs] : []) {
            guard write(fd, "0", 1) == 1 else {
                throw SyscallError("write", "\(fd == unifiedProcs ? "cgroup.procs" : "tasks") (joining the container's cgroup)")
            }
        }
    }

    private mutating func closeAll() {
        for fd in raws { Glibc.close(fd) }
        tasks = []
        unified = -1
        unifiedProcs = -1
    }

    public static func open(_ directories: [CgroupDirectory]) throws(SyscallError) -> CgroupJoinHandles {
        var h = CgroupJoinHandles()  // closes what it opened if a later open fails
        for d in directories {
            if d.controllers.isEmpty {
                h.unified = try sys("open", d.path) { Glibc.open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            } else {
                let file = d.path + "/tasks"
                h.tasks.append(try sys("open", file) { Glibc.open(file, O_WRONLY | O_CLOEXEC) })
            }
        }
        return h
    }
}
