import Testing

@testable import RoostCLI

/// The one flag table and the parser that reads it for every verb, with runc's spellings and
/// messages.
@Suite("the flag table and its parser")
struct FlagParserTests {
    static let every = CommandTable.commands + CommandTable.cold + [CommandTable.exec]

    @Test("no command declares a long or a short flag twice")
    func uniqueFlags() {
        for command in Self.every + [CommandSpec(name: "(global)", arguments: "", summary: "", flags: CommandTable.global, positionals: 0...0)] {
            let longs = command.flags.map(\.long)
            let shorts = command.flags.compactMap(\.short)
            #expect(Set(longs).count == longs.count, "\(command.name): \(longs)")
            #expect(Set(shorts).count == shorts.count, "\(command.name): \(shorts)")
        }
    }

    func parse(_ args: [String], command: String = "run") throws -> ParsedArguments {
        let spec = try #require(CommandTable.command(command))
        return try FastParser.parse(args[...], flags: spec.flags, command: command, beforeArgumentsOnly: spec.flagsBeforeArgumentsOnly)
    }

    @Test("--name value, --name=value, -n value, -name value, and switches that say =false")
    func spellings() throws {
        for args in [["--bundle", "/b", "id"], ["--bundle=/b", "id"], ["-b", "/b", "id"], ["-bundle", "/b", "id"]] {
            let p = try parse(args)
            #expect(p.value("bundle") == "/b", "\(args)")
            #expect(p.positionals == ["id"], "\(args)")
        }
        #expect(try parse(["-d", "id"]).flag("detach"))
        #expect(try !parse(["--detach", "--detach=false", "id"]).flag("detach"))
        #expect(try parse(["id", "--detach"]).flag("detach"))  // flags may follow positionals (run)
    }

    @Test("exec reads flags only before the container id: the command's own flags stay its own")
    func execCommandFlags() throws {
        let p = try parse(["-e", "A=1", "--env", "B=2", "ctr", "sh", "-c", "echo -e x", "--tty"], command: "exec")
        #expect(p.all("env") == ["A=1", "B=2"])
        #expect(p.positionals == ["ctr", "sh", "-c", "echo -e x", "--tty"])
        #expect(!p.flag("tty"))
    }

    @Test("-- ends the flags")
    func doubleDash() throws {
        #expect(try parse(["--", "-d"]).positionals == ["-d"])
    }

    @Test(
        "runc's messages for an unknown flag, a missing value and a bad boolean",
        arguments: [
            (["-x", "id"], "run: flag provided but not defined: -x"),
            (["--no-such", "id"], "run: flag provided but not defined: -no-such"),
            (["id", "--bundle"], "run: flag needs an argument: -bundle"),
            (["--detach=maybe", "id"], "run: invalid boolean value \"maybe\" for -detach"),
        ])
    func messages(_ args: [String], _ expected: String) throws {
        do {
            _ = try parse(args)
            Issue.record("\(args) parsed")
        } catch {
            #expect("\(error)" == expected)
        }
    }
}
