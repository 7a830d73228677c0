import Foundation

/// What one roost invocation did.
public struct RoostResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
    /// stderr's lines, for "exactly one line" checks.
    public var stderrLines: [Substring] { stderr.split(separator: "\n") }
}

/// Where the tests find the built binary and the busybox rootfs (set by `make test`).
public enum TestEnvironment {
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
public func runProgram(_ path: String, _ args: [String], stdin: String? = nil, cwd: String? = nil, environment: [String: String]? = nil) -> RoostResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    if let environment { p.environment = environment }
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("roost-io-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let out = tmp.appendingPathComponent("out"), err = tmp.appendingPathComponent("err"), inp = tmp.appendingPathComponent("in")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    FileManager.default.createFile(atPath: inp.path, contents: (stdin ?? "").data(using: .utf8))
    do {
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = try FileHandle(forReadingFrom: inp)
        try p.run()
    } catch {
        return RoostResult(status: -1, stdout: "", stderr: "could not start \(path): \(error)")
    }
    p.waitUntilExit()
    let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
    return RoostResult(
        status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
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
