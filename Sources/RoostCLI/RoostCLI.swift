import Glibc
import RoostRuntime

/// roost's entry point: global flags, then one command, both read against CommandTable.
public enum RoostCLI {
    public static let version = "0.1.0"

    public static func main() -> Never {
        let argv = CommandLine.arguments
        let globals: ParsedArguments
        do {
            globals = try FastParser.parse(argv.dropFirst(), flags: CommandTable.global, command: "roost", beforeArgumentsOnly: true)
        } catch {
            Report.fail(error.description, code: 2)
        }
        if globals.flag("version") {
            print("roost version \(version)\nspec: 1.3.0")
            exit(0)
        }
        guard let name = globals.positionals.first, !globals.flag("help") else {
            print(Help.root())
            exit(0)
        }
        let rest = globals.positionals.dropFirst()
        let context = GlobalContext(globals)
        do {
            try Log.configure(path: globals.value("log"), format: globals.value("log-format"), debug: context.debug)
        } catch {
            Report.fail("\(error)", code: 1)
        }
        if let r = globals.value("rootless"), !["true", "false", "auto"].contains(r) {
            Report.fail("--rootless: invalid value \"\(r)\" (want true, false or auto)", code: 1)
        }
        if let command = CommandTable.command(name) {
            let parsed: ParsedArguments
            do {
                parsed = try FastParser.parse(rest, flags: command.flags + [FlagSpec("help", short: "h", "show help")], command: name,
                    beforeArgumentsOnly: command.flagsBeforeArgumentsOnly)
            } catch {
                Report.fail(error.description, code: 1)
            }
            if parsed.flag("help") {
                print(Help.command(command))
                exit(0)
            }
            guard command.positionals.contains(parsed.positionals.count) else {
                Report.fail("\(name): \"\(name)\" requires \(Help.countText(command.positionals)) argument\(command.positionals.upperBound == 1 ? "" : "s") (\(command.arguments))", code: 1)
            }
            exit(Commands.dispatch(name, parsed, context))
        }
        Report.fail("No help topic for '\(name)'", code: 1)
    }
}

/// The global flags every command sees.
struct GlobalContext {
    var root: String
    var debug: Bool

    var systemdCgroup: Bool

    /// /run/roost; for an unprivileged user $XDG_RUNTIME_DIR/roost when that is set (as runc).
    static var defaultRoot: String {
        if geteuid() != 0, let xdg = getenv("XDG_RUNTIME_DIR"), xdg.pointee != 0 { return String(cString: xdg) + "/roost" }
        return "/run/roost"
    }

    init(_ p: ParsedArguments) {
        root = p.value("root") ?? Self.defaultRoot
        debug = p.flag("debug")
        systemdCgroup = p.flag("systemd-cgroup")
    }
}

enum Commands {
    static func dispatch(_ name: String, _ args: ParsedArguments, _ context: GlobalContext) -> Int32 {
        do {
            switch name {
            case "run": return try RunCommand.run(args, context)
            case "create": return try CreateCommand.run(args, context)
            case "start": return try LifecycleCommands.start(args, context)
            case "state": return try LifecycleCommands.state(args, context)
            case "kill": return try LifecycleCommands.kill(args, context)
            case "delete": return try LifecycleCommands.delete(args, context)
            case "list": return try ListCommand.run(args, context)
            case "exec": return ExecCommand.run(args, context)
            case "spec": return try SpecCommand.run(args, context)
            case "pause": return try PauseCommands.pause(args, context)
            case "resume": return try PauseCommands.resume(args, context)
            case "ps": return try PsCommand.run(args, context)
            case "update": return try UpdateCommand.run(args, context)
            case "events": return try EventsCommand.run(args, context)
            default: Report.fail("unknown command \"\(name)\"", code: 1)
            }
        } catch {
            Report.fail("\(error)", code: 1)
        }
    }
}
