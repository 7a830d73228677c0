import RoostCgroups
import RoostLinux
import RoostSpec

/// Every error the runtime reports, each naming its object. Rendered once, as one line, by the CLI.
public enum RuntimeError: Error, CustomStringConvertible {
    /// config.json could not be read, parsed or validated (the SpecError names file and JSON path).
    case spec(SpecError)
    /// A config value the spec allows but the runtime cannot honour: the JSON path and why, and
    /// the system call that refused it, when one did.
    case config(path: String, problem: String, file: String = "config.json", cause: SyscallError? = nil)
    case syscall(SyscallError)
    /// A resource the host's cgroups refused, by its JSON path (RoostCgroups' error, kept typed).
    case cgroup(CgroupError)
    case invalidID(String)
    case exists(String)
    case notFound(String)
    case bundle(String)
    /// A hook roost ran failed during `stage` (create's prestart and createRuntime hooks).
    case hook(stage: String, HookFailure)
    /// A step of the container's init failed; `stage` says which.
    case child(stage: String, message: String)
    case invalidState(id: String, problem: String)
    case usage(String)

    public var description: String {
        switch self {
        case .spec(let e): e.description
        case .config(let path, let problem, let file, let cause): "\(file): \(path): \(problem)" + (cause.map { ": \($0)" } ?? "")
        case .syscall(let e): e.description
        case .cgroup(let e): e.description
        case .invalidID(let id): "invalid container id \"\(id)\": only [A-Za-z0-9_+.-] are allowed, and not \".\" or \"..\""
        case .exists(let id): "container \"\(id)\" already exists"
        case .notFound(let id): "container \"\(id)\" does not exist"
        case .bundle(let message): message
        case .hook(let stage, let failure): "\(stage): \(failure)"
        case .child(let stage, let message): "\(stage): \(message)"
        case .invalidState(let id, let problem): "container \"\(id)\": \(problem)"
        case .usage(let message): message
        }
    }
}

extension RuntimeError {
    init(_ e: SyscallError) { self = .syscall(e) }

    /// Whatever a step of `stage` threw, as the RuntimeError case of its type: the one place a
    /// mixed `catch` becomes a RuntimeError, so the value, not a message, reaches the CLI.
    init(_ error: any Error, stage: String) {
        switch error {
        case let e as RuntimeError: self = e
        case let e as SyscallError: self = .syscall(e)
        case let e as CgroupError: self = .cgroup(e)
        case let e as SpecError: self = .spec(e)
        case let e as HookFailure: self = .hook(stage: stage, e)
        default: self = .child(stage: stage, message: "\(error)")
        }
    }
}
