import Foundation

/// What one roost invocation did.
public struct RoostResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    /// stderr's lines, for "exactly one line" checks.
    public var stderrLines: [Substring] { stderr.split(separator: "\n") }
}

/// Where the tests find the built binary and the busybox rootfs (set by `make test`).
public enum TestEnvironment {
    /// /sys/fs/cgroup is itself cgroup2: the v2 driver's host (the VM lane).
    public static let isCgroup2Only = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
    public static var binary: String {
        ProcessInfo.processInfo.environment["ROOST_BINARY"] ?? FileManager.default.currentDirectoryPath + "/.build/release/roost"
    }
    public static var rootfs: String {
        ProcessInfo.processInfo.environment["ROOST_ROOTFS"] ?? FileManager.default.currentDirectoryPath + "/.build/fixtures/rootfs"
    }
    /// The state root the tests use, apart from a real /run/roost.
    public static let stateRoot = "/run/roost-tests"
    public static var isRoot: Bool { getuid() == 0 }
    /// Why the integration tests cannot run here, or nil when they can.
    public static var skipReason: String? {
        if !isRoot { return "integration tests create real containers and need root" }
        if !FileManager.default.isExecutableFile(atPath: binary) { return "no roost binary at \(binary): run `make test`" }
        if !FileManager.default.fileExists(atPath: rootfs + "/bin/busybox") { return "no busybox rootfs at \(rootfs): run `make test`" }
        return nil
    }
}

/// Runs a program with optional stdin; stdout and stderr go through files (no pipe deadlocks).
/// Spawned with posix_spawn, an empty signal mask and default dispositions: the test runner's
/// threads block signals (SIGCHLD among them), which Foundation's Process would pass on.
public func runProgram(_ path: String, _ args: [String], stdin: String? = nil, cwd: String? = nil, environment: [String: String]? = nil) -> RoostResult {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("roost-io-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    let out = tmp + "/out", err = tmp + "/err", inp = tmp + "/in"
    _ = FileManager.default.createFile(atPath: inp, contents: Data((stdin ?? "").utf8))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inp, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var none = sigset_t(), all = sigset_t()
    sigemptyset(&none)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attr, &none)
    posix_spawnattr_setsigdefault(&attr, &all)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    // The working directory goes through a shell, as glibc's addchdir is not visible to Swift.
    var argv = [path] + args
    if let cwd { argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd] + argv }
    let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
    let cargv = argv.map { strdup($0) } + [nil]
    let cenv = env.map { strdup($0) } + [nil]
    defer { for p in cargv + cenv { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, &attr, cargv, cenv)
    guard rc == 0 else { return RoostResult(status: -1, stdout: "", stderr: "could not start \(path): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return RoostResult(
        status: code, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

@discardableResult
public func sh(_ command: String) -> RoostResult { runProgram("/bin/sh", ["-c", command]) }

/// A bundle made for one test: a copy of the busybox rootfs and runc's starter config (from
/// `roost spec`), with a random container id. `close()` tears down in reverse order what the test
/// made and reports anything the runtime left behind.
public final class TestBundle: @unchecked Sendable {
    public let id: String
    public let path: String
    public var rootfs: String { path + "/rootfs" }
    public var config: [String: Any]
    private var teardown: [() -> Void] = []

    public init(_ name: String = "t") throws {
        id = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
        path = "/tmp/roost-it/\(id)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let copy = runProgram("/bin/cp", ["-a", TestEnvironment.rootfs, path + "/rootfs"])
        guard copy.status == 0 else { throw FixtureError("cp rootfs: \(copy.stderr)") }
        let spec = runProgram(TestEnvironment.binary, ["spec", "--bundle", path])
        guard spec.status == 0 else { throw FixtureError("roost spec: \(spec)") }
        let data = try Data(contentsOf: URL(fileURLWithPath: path + "/config.json"))
        config = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        process["terminal"] = false
    }

    /// Registers an undo step for something the test made (a netns, a host dir); run LIFO.
    public func onTeardown(_ body: @escaping () -> Void) { teardown.append(body) }

    public var process: [String: Any] {
        get { config["process"] as? [String: Any] ?? [:] }
        set { config["process"] = newValue }
    }
    public var linux: [String: Any] {
        get { config["linux"] as? [String: Any] ?? [:] }
        set { config["linux"] = newValue }
    }

    public func setArgs(_ args: [String]) { process["args"] = args }
    /// Runs `sh -c SCRIPT` as the container's process.
    public func shell(_ script: String) { setArgs(["sh", "-c", script]) }

    public var namespaces: [[String: Any]] {
        get { linux["namespaces"] as? [[String: Any]] ?? [] }
        set { linux["namespaces"] = newValue }
    }
    public func removeNamespace(_ type: String) { namespaces.removeAll { $0["type"] as? String == type } }
    public func addNamespace(_ type: String, path: String? = nil) {
        removeNamespace(type)
        var ns: [String: Any] = ["type": type]
        if let path { ns["path"] = path }
        namespaces.append(ns)
    }
    public var mounts: [[String: Any]] {
        get { config["mounts"] as? [[String: Any]] ?? [] }
        set { config["mounts"] = newValue }
    }

    public func writeConfig() throws {
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path + "/config.json"))
    }

    /// `roost --root <tests' root> ARGS...` with the bundle's directory as cwd.
    public func roost(_ args: [String], stdin: String? = nil) -> RoostResult {
        runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot] + args, stdin: stdin, cwd: path)
    }

    /// Writes the config and runs the container in the foreground.
    public func run(_ flags: [String] = [], stdin: String? = nil) throws -> RoostResult {
        try writeConfig()
        return roost(["run", "--bundle", path] + flags + [id], stdin: stdin)
    }

    /// What the runtime left behind for this container: its state directory, mounts of its rootfs,
    /// processes rooted in it.
    public func leaks() -> [String] {
        var found: [String] = []
        if FileManager.default.fileExists(atPath: TestEnvironment.stateRoot + "/" + id) {
            found.append("state directory \(TestEnvironment.stateRoot)/\(id)")
        }
        if let mountinfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) {
            for line in mountinfo.split(separator: "\n") where line.contains(path) {
                found.append("mount: \(line)")
            }
        }
        // The container's cgroup: `<id>` below this process's (and so roost's) cgroup in each
        // hierarchy, where roost makes it when config.json names no cgroupsPath.
        if let own = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            for line in own.split(separator: "\n") {
                let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard f.count == 3 else { continue }
                let controllers = f[1].replacingOccurrences(of: "name=", with: "")
                if controllers.isEmpty && TestEnvironment.isCgroup2Only {
                    // runc's fs2 rule: below the parent of roost's own cgroup.
                    let parent = (String(f[2]) as NSString).deletingLastPathComponent
                    let dir = "/sys/fs/cgroup" + (parent == "/" ? "" : parent) + "/" + id
                    if FileManager.default.fileExists(atPath: dir) { found.append("cgroup \(dir)") }
                    continue
                }
                let mount = controllers.isEmpty ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup/\(controllers)"
                let dir = mount + (f[2] == "/" ? "" : String(f[2])) + "/" + id
                if FileManager.default.fileExists(atPath: dir) { found.append("cgroup \(dir)") }
            }
        }
        if let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") {
            for pid in pids where Int(pid) != nil {
                if let root = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root"), root.hasPrefix(path) {
                    found.append("process \(pid) rooted in \(root)")
                }
            }
        }
        return found
    }

    /// Tears down what the test itself made (LIFO), then looks for what the runtime left behind,
    /// then removes the bundle. Returns the leaks.
    public func close() -> [String] {
        while let undo = teardown.popLast() { undo() }
        let leaked = leaks()
        if !leaked.isEmpty {
            // Clean what we can so one failure does not cascade into the next tests.
            _ = roost(["delete", "--force", id])
            sh("kill -9 $(for p in /proc/[0-9]*; do [ \"$(readlink $p/root)\" = \(rootfs) ] && basename $p; done) 2>/dev/null; grep -o ' [^ ]*\(path)[^ ]*' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null; rm -rf \(TestEnvironment.stateRoot)/\(id)")
        }
        try? FileManager.default.removeItem(atPath: path)
        return leaked
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
