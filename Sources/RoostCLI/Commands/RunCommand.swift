import RoostRuntime

/// `roost run [flags] ID`: create, start, wait, delete, in the foreground.
enum RunCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        if a.flag("detach") { throw UsageError(description: "run: --detach is not supported yet") }
        if a.flag("keep") { throw UsageError(description: "run: --keep is not supported yet") }
        if a.value("console-socket") != nil || a.value("pidfd-socket") != nil {
            throw UsageError(description: "run: --console-socket and --pidfd-socket are not supported yet")
        }
        let options = try CreateCommand.options(a)
        return try Container.run(id: a.positionals[0], stateRoot: g.root, options: options)
    }
}

enum CreateCommand {
    /// The flags `create` and `run` share.
    static func options(_ a: ParsedArguments) throws -> Container.CreateOptions {
        var o = Container.CreateOptions()
        o.bundle = a.value("bundle")
        o.pidFile = a.value("pid-file")
        o.noPivot = a.flag("no-pivot")
        o.noNewKeyring = a.flag("no-new-keyring")
        if let n = a.value("preserve-fds") {
            guard let v = Int32(n), v >= 0 else { throw UsageError(description: "--preserve-fds: invalid value \"\(n)\"") }
            o.preserveFDs = v
        }
        return o
    }
}
