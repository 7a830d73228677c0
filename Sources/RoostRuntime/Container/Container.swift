import Glibc
import RoostLinux
import RoostSpec

/// The lifecycle's entry points, one verb per file (Container+Create, +Start, +Run, +Delete).
public enum Container {
    public static let defaultRoot = "/run/roost"

    public struct CreateOptions {
        public var bundle: String?
        public var pidFile: String?
        /// --systemd-cgroup: the container's cgroup is a systemd scope (runc's systemd driver).
        public var systemdCgroup = false
        public var noPivot = false
        public var noNewKeyring = false
        public var preserveFDs: Int32 = 0
        /// Socket activation: fds 3..3+N-1 that systemd passed roost (LISTEN_FDS with LISTEN_PID
        /// naming roost), handed on before the preserved ones.
        public var listenFDs: Int32 = 0
        /// A unix socket that receives a pidfd of the init (runc's --pidfd-socket).
        public var pidfdSocket: String?
        /// A unix socket that receives the pty master (--console-socket).
        public var consoleSocket: String?
        /// create, and run -d: roost returns while the container runs.
        public var detach = false
        public init() {}
    }
}

/// Undo steps of `create`, run last-in first-out when a later step fails, so a failed create
/// leaves no state directory, process or mount behind.
struct Rollback {
    private var steps: [() -> Void] = []
    mutating func add(_ undo: @escaping () -> Void) { steps.append(undo) }
    mutating func run() {
        while let undo = steps.popLast() { undo() }
    }
    mutating func disarm() { steps.removeAll() }
}

/// Absolute form of a path given on the command line, relative to the current directory.
func absolutePath(_ path: String) -> String {
    if path.hasPrefix("/") { return InRoot.clean(path) }
    var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buf, buf.count) != nil else { return path }
    return InRoot.clean(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path)
}
