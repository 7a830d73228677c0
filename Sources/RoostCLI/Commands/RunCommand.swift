import Glibc
import RoostRuntime
import RoostLinux

/// `roost run [flags] ID`: create, start, wait, delete, in the foreground.
enum RunCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let options = try CreateCommand.options(a, g, command: "run")
        var run = Container.RunOptions()
        run.detach = a.flag("detach")
        run.keep = a.flag("keep")
        run.subreaper = !a.flag("no-subreaper")
        if run.detach && run.keep { throw UsageError(description: "run: --keep cannot be used with --detach") }
        return try Container.run(id: a.positionals[0], stateRoot: g.root, options: options, run: run)
    }
}
