/// Help text made from the command table, so flags are declared in one place.
enum Help {
    static func root() -> String {
        var s = """
            roost: an OCI container runtime, a drop-in replacement for runc

            USAGE:
               roost [global options] command [command options] [arguments...]

            COMMANDS:

            """
        for c in CommandTable.commands + [CommandTable.exec] + CommandTable.cold { s += "   \(pad(c.name, 12))\(c.summary)\n" }
        s += "\nGLOBAL OPTIONS:\n"
        for f in CommandTable.global { s += flagLine(f) }
        return s
    }

    static func command(_ c: CommandSpec) -> String {
        var s = "NAME:\n   roost \(c.name) - \(c.summary)\n\nUSAGE:\n   roost \(c.name) [command options] \(c.arguments)\n\nOPTIONS:\n"
        for f in c.flags { s += flagLine(f) }
        return s
    }

    static func countText(_ r: ClosedRange<Int>) -> String {
        r.lowerBound == r.upperBound ? "exactly \(r.lowerBound)"
            : r.upperBound == Int.max ? "at least \(r.lowerBound)" : "\(r.lowerBound) to \(r.upperBound)"
    }

    private static func flagLine(_ f: FlagSpec) -> String {
        var names = "--\(f.long)"
        if let s = f.short { names += ", -\(s)" }
        if f.takesValue { names += " value" }
        return "   \(pad(names, 30)) \(f.help)\n"
    }

    private static func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(1, n - s.count)) }
}
