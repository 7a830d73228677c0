import Glibc
import RoostRuntime

/// `roost pause ID`, `roost resume ID`.
enum PauseCommands {
    static func pause(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        try Container.setPaused(id: a.positionals[0], stateRoot: g.root, true)
        return 0
    }

    static func resume(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        try Container.setPaused(id: a.positionals[0], stateRoot: g.root, false)
        return 0
    }
}

/// `roost ps [--format table|json] ID [ps options]`: the host's ps, kept to the container's
/// processes (matches runc: json lists the pids; table filters `ps -ef` by its PID column).
enum PsCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let pids = try Container.processIDs(id: a.positionals[0], stateRoot: g.root)
        switch a.value("format") ?? "table" {
        case "json":
            Output.write("[" + pids.map(String.init).joined(separator: ",") + "]\n")
        case "table":
            try table(pids, Array(a.positionals.dropFirst()))
        case let format:
            throw UsageError(description: "ps: invalid format \"\(format)\" (want table or json)")
        }
        return 0
    }

    private static func table(_ pids: [Int32], _ psArguments: [String]) throws {
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
        guard let header = lines.first, let column = header.fields(" ").firstIndex(of: "PID") else {
            throw UsageError(description: "ps: ps printed no PID column (ps \(args.joined(separator: " ")))")
        }
        var out = String(header) + "\n"
        let wanted = Set(pids)
        for line in lines.dropFirst() where !line.isEmpty {
            let fields = line.fields(" ")
            if fields.count > column, let pid = Int32(fields[column]), wanted.contains(pid) { out += line + "\n" }
        }
        Output.write(out)
    }
}
