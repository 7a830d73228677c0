import Glibc
import RoostLinux
import RoostSpec

/// A hook that failed: which (`hooks.KIND[INDEX]`, its path) and how, in runc 1.5's words
/// ("error running KIND hook #INDEX", which engines and runc's suite look for).
public struct HookFailure: Error, CustomStringConvertible {
    public let kind: String
    public let index: Int
    public let path: String
    public let problem: String
    public var description: String { "error running \(kind) hook #\(index): hooks.\(kind)[\(index)] \(path): \(problem)" }
}

/// Runs OCI hooks: each is a program given the container's state JSON on stdin, with exactly the
/// hook's `args` and `env`, killed when its `timeout` passes. Its stdout and stderr are kept for the
/// error message. Works from roost (runtime namespace) and from init (container namespace) alike:
/// both are single-threaded, so fork + exec is safe.
enum HookRunner {
    static func run(_ hooks: [Spec.Hook]?, kind: String, state: [UInt8]) throws {
        for (i, hook) in (hooks ?? []).enumerated() {
            try run(hook, kind: kind, index: i, state: state)
        }
    }

    static func run(_ hook: Spec.Hook, kind: String, index: Int, state: [UInt8]) throws {
        func fail(_ problem: String) -> HookFailure { HookFailure(kind: kind, index: index, path: hook.path, problem: problem) }
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw fail("\(SyscallError("pipe"))") }
        for fd in input + output { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let pid = spawn(hook, stdin: input[0], output: output[1])
        close(input[0])
        close(output[1])
        if pid < 0 {
            close(input[1])
            close(output[0])
            throw fail("\(SyscallError("fork"))")
        }
        // The state is small (well under a pipe's 64 KiB), so one write cannot block on a hook
        // that does not read; a hook that exits early just gets EPIPE.
        let previous = signal(SIGPIPE, SIG_IGN)
        _ = state.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])
        signal(SIGPIPE, previous)

        let (said, timedOut) = collect(output[0], pid: pid, timeout: hook.timeout)
        close(output[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let tail = said.isEmpty ? "" : " (output: \(said))"
        if timedOut { throw fail("timed out after \(hook.timeout ?? 0)s\(tail)") }
        switch ExitStatus(waitStatus: status) {
        case .exited(0): return
        case .exited(let code): throw fail("exited with status \(code)\(tail)")
        case .signaled(let sig): throw fail("killed by signal \(sig)\(tail)")
        }
    }

    /// Forks the hook with `stdin` as its stdin and `output` as its stdout and stderr, default
    /// signal handling and nothing blocked; its pid, or -1 when fork failed.
    private static func spawn(_ hook: Spec.Hook, stdin: Int32, output: Int32) -> pid_t {
        // Built before the fork: the child only execs.
        let argv = (hook.args ?? [hook.path]).map { strdup($0) } + [nil]
        let envp = (hook.env ?? []).map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let pid = fork()
        guard pid == 0 else { return pid }
        dup2(stdin, 0)
        dup2(output, 1)
        dup2(output, 2)
        Signals.resetDispositions()
        var empty = sigset_t()
        sigemptyset(&empty)
        Signals.setMask(empty)
        let error = Processes.execve(hook.path, argv, envp)
        let message = "exec: \(String(cString: strerror(error.errno)))"
        _ = message.withCString { write(2, $0, strlen($0)) }
        _exit(127)
    }

    /// Reads what the hook says (its first 4 KiB, lines joined by "; ") until it closes its
    /// output, or kills it when `timeout` seconds have passed.
    private static func collect(_ fd: Int32, pid: pid_t, timeout: Int?) -> (said: String, timedOut: Bool) {
        var captured: [UInt8] = []
        let deadline = timeout.map { monotonicNow() + Double($0) }
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = deadline.map { Int32(max(0, ($0 - monotonicNow()) * 1000)) } ?? -1
            let r = poll(&pfd, 1, wait)
            if r < 0 && errno == EINTR { continue }
            if r == 0 {
                kill(pid, SIGKILL)
                return (joined(captured), true)
            }
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            if captured.count < 4096 { captured.append(contentsOf: buf[0..<n]) }
        }
        return (joined(captured), false)
    }

    private static func joined(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: "; ")
    }

    /// The state document hooks read on stdin (the OCI state: ociVersion, id, status, pid, bundle,
    /// annotations).
    static func stateJSON(id: String, status: String, pid: Int32, bundle: String, annotations: [(key: String, value: String)]) -> [UInt8] {
        var fields: [(key: String, value: JSONValue)] = [
            (key: "ociVersion", value: .string(ociVersion)),
            (key: "id", value: .string(id)),
            (key: "status", value: .string(status)),
            (key: "pid", value: .number(String(pid))),
            (key: "bundle", value: .string(bundle)),
        ]
        if !annotations.isEmpty {
            fields.append((key: "annotations", value: .object(annotations.map { (key: $0.key, value: .string($0.value)) })))
        }
        return JSONValue.object(fields).serializedBytes()
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
