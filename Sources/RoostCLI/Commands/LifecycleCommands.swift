import RoostLinux
import RoostRuntime
import RoostSpec

/// start, state, kill, delete: each flags → one runtime call.
enum LifecycleCommands {
    static func start(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        try Container.start(id: a.positionals[0], stateRoot: g.root)
        return 0
    }

    static func state(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let doc = try Container.state(id: a.positionals[0], stateRoot: g.root)
        // matches runc: two-space indentation, no trailing newline. JSON strings never hold a raw
        // tab (it is escaped), so every tab in the indented text is indentation.
        Output.write(String(doc.serialized(style: .indented).map { $0 == "\t" ? "  " : String($0) }.joined()))
        return 0
    }

    static func kill(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let name = a.positionals.count > 1 ? a.positionals[1] : "SIGTERM"
        // Signal 0 sends nothing and says whether the container's process is there (kill(2)).
        guard let signal = name == "0" ? 0 : Signals.parse(name) else { throw UsageError(description: "kill: unknown signal \"\(name)\"") }
        try Container.kill(id: a.positionals[0], stateRoot: g.root, signal: signal, all: a.flag("all"))
        return 0
    }

    static func delete(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        try Container.delete(id: a.positionals[0], stateRoot: g.root, force: a.flag("force"))
        return 0
    }
}

/// `roost list [--format table|json] [-q]`, in runc's layout.
enum ListCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let format = a.value("format") ?? "table"
        guard format == "table" || format == "json" else {
            throw UsageError(description: "list: invalid format option \"\(format)\" (want table or json)")
        }
        let all = try Container.list(stateRoot: g.root)
        if a.flag("quiet") {
            Output.write(all.map { $0.id + "\n" }.joined())
            return 0
        }
        if format == "json" {
            // matches runc: `null` for none, one compact array otherwise.
            let docs = all.filter { $0.status != "creating" }.map(\.document)
            Output.write((docs.isEmpty ? "null" : JSONValue.array(docs).serialized()) + "\n")
            return 0
        }
        var rows = [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
        for c in all { rows.append([c.id, String(c.pid), c.status, c.bundle, c.created, c.owner]) }
        Output.write(Table.render(rows, minWidth: 12, padding: 3))
        return 0
    }
}
