/// The result of reading argv against a CommandSpec.
struct ParsedArguments {
    /// Every value given for a flag, in order (`-e A -e B`).
    var values: [String: [String]] = [:]
    var switches: Set<String> = []
    var positionals: [String] = []

    /// The last value given for a flag.
    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { switches.contains(name) }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// Reads flags the way runc's CLI library does: `--name value`, `--name=value`, `-n value`, `-d`,
/// switches as `--flag` or `--flag=false`; flags may follow positionals unless the command says
/// otherwise; `--` ends flags.
enum FastParser {
    static func parse(_ args: ArraySlice<String>, flags: [FlagSpec], command: String, beforeArgumentsOnly: Bool = false)
        throws(UsageError) -> ParsedArguments
    {
        var out = ParsedArguments()
        var i = args.startIndex
        var onlyPositionals = false
        while i < args.endIndex {
            let arg = args[i]
            i += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                out.positionals.append(arg)
                if beforeArgumentsOnly { onlyPositionals = true }
                continue
            }
            if arg == "--" { onlyPositionals = true; continue }
            var name: Substring
            var inline: Substring?
            if arg.hasPrefix("--") {
                name = arg.dropFirst(2)
            } else {
                name = arg.dropFirst(1)
            }
            if let eq = name.firstIndex(of: "=") {
                inline = name[name.index(after: eq)...]
                name = name[..<eq]
            }
            let spec: FlagSpec? =
                name.count == 1 && !arg.hasPrefix("--")
                ? flags.first { $0.short == name.first } ?? flags.first { $0.long == name }
                : flags.first { $0.long == name }
            guard let spec else { throw UsageError(description: "\(command): flag provided but not defined: -\(name)") }
            if spec.takesValue {
                if let inline {
                    out.values[spec.long, default: []].append(String(inline))
                } else {
                    guard i < args.endIndex else { throw UsageError(description: "\(command): flag needs an argument: -\(name)") }
                    out.values[spec.long, default: []].append(args[i])
                    i += 1
                }
            } else {
                switch inline {
                case nil, "true", "1": out.switches.insert(spec.long)
                case "false", "0": out.switches.remove(spec.long)
                case let v?: throw UsageError(description: "\(command): invalid boolean value \"\(v)\" for -\(name)")
                }
            }
        }
        return out
    }
}
