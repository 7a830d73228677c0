import ArgumentParser
import Glibc
import RoostLinux
import RoostSpec

/// `roost spec [--bundle DIR] [--rootless]`: writes runc's starter config.json.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec", abstract: "create a new specification file")

    @Option(name: [.short, .long], help: "path to the root of the bundle directory")
    var bundle: String?

    @Flag(help: "generate a configuration for a rootless container")
    var rootless = false

    func run() throws {
        let dir = bundle ?? "."
        let path = dir + "/config.json"
        if access(path, F_OK) == 0 {
            Report.fail("spec: File \(path) exists. Remove it first", code: 1)
        }
        let spec = Spec.runcDefault(
            rootless: rootless, cgroupNamespace: Host.isCgroup2Only, uid: geteuid(), gid: getegid())
        let bytes = Array(spec.marshalIndented().utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            Report.fail("spec: cannot write \(path): \(String(cString: strerror(errno)))", code: 1)
        }
        defer { close(fd) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 { Report.fail("spec: write \(path): \(String(cString: strerror(errno)))", code: 1) }
            off += n
        }
    }

}

/// The commands whose parsing cost does not matter, on swift-argument-parser.
struct ColdRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roost", subcommands: [SpecCommand.self, PauseCommand.self, ResumeCommand.self, PsCommand.self, UpdateCommand.self, EventsCommand.self])
}

enum ColdCommands {
    static let summaries: [(String, String)] = [
        ("spec", SpecCommand.configuration.abstract), ("pause", PauseCommand.configuration.abstract),
        ("resume", ResumeCommand.configuration.abstract), ("ps", PsCommand.configuration.abstract),
        ("update", UpdateCommand.configuration.abstract), ("events", EventsCommand.configuration.abstract),
    ]

    /// The global --root, which swift-argument-parser does not see (it comes before the verb).
    nonisolated(unsafe) static var root = "/run/roost"

    static func run(name: String, arguments: [String]) -> Never {
        guard summaries.contains(where: { $0.0 == name }) else {
            Report.fail("No help topic for '\(name)'", code: 1)
        }
        ColdRoot.main([name] + arguments)
        exit(0)
    }

    /// Runs a cold command's body with runc's error handling: one line, exit 1.
    static func guarded(_ body: () throws -> Void) {
        do { try body() } catch { Report.fail("\(error)", code: 1) }
    }
}
