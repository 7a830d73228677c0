import ArgumentParser
import Glibc
import RoostRuntime

/// `roost pause ID`
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "pause suspends all processes inside the container")
    @Argument var id: String
    func run() { ColdCommands.guarded { try Container.setPaused(id: id, stateRoot: ColdCommands.root, true) } }
}

/// `roost resume ID`
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "resumes all processes that have been previously paused")
    @Argument var id: String
    func run() { ColdCommands.guarded { try Container.setPaused(id: id, stateRoot: ColdCommands.root, false) } }
}

/// `roost ps [--format table|json] ID [ps options]`: the host's ps, kept to the container's
/// processes (matches runc: json lists the pids; table filters `ps -ef` by its PID column).
struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "ps displays the processes running inside a container")
    @Option(name: [.short, .long], help: "select one of: table or json") var format = "table"
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var psArguments: [String] = []

    func run() {
        ColdCommands.guarded {
            let pids = try Container.processIDs(id: id, stateRoot: ColdCommands.root)
            switch format {
            case "json":
                Output.write("[" + pids.map(String.init).joined(separator: ",") + "]\n")
            case "table":
                try table(pids)
            default:
                throw UsageError(description: "ps: invalid format \"\(format)\" (want table or json)")
            }
        }
    }

    private func table(_ pids: [Int32]) throws {
        let args = psArguments.isEmpty ? ["-ef"] : psArguments
        var p: [Int32] = [-1, -1]
        guard pipe(&p) == 0 else { throw UsageError(description: "ps: pipe: \(String(cString: strerror(errno)))") }
        let child = fork()
        if child == 0 {
            dup2(p[1], 1)
            close(p[0])
            let argv = (["ps"] + args).map { strdup($0) } + [nil]
            execvp("ps", argv)
            _exit(127)
        }
        close(p[1])
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(p[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: buf[0..<n])
        }
        close(p[0])
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first, let column = header.split(separator: " ").firstIndex(of: "PID") else {
            throw UsageError(description: "ps: ps printed no PID column (ps \(args.joined(separator: " ")))")
        }
        var out = String(header) + "\n"
        let wanted = Set(pids)
        for line in lines.dropFirst() where !line.isEmpty {
            let fields = line.split(separator: " ")
            if fields.count > column, let pid = Int32(fields[column]), wanted.contains(pid) { out += line + "\n" }
        }
        Output.write(out)
    }
}
