import RoostRuntime

/// `roost events [--stats] [--interval D] ID`: runc's JSON event lines.
enum EventsCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let interval = a.value("interval") ?? "5s"
        guard let seconds = parseDuration(interval), seconds > 0 else {
            throw UsageError(description: "events: invalid --interval \"\(interval)\" (e.g. 5s, 500ms, 1m)")
        }
        try Container.events(id: a.positionals[0], stateRoot: g.root, statsOnce: a.flag("stats"), interval: seconds) { Output.write($0 + "\n") }
        return 0
    }
}

/// A Go-style duration: a number with ns, us, ms, s, m or h.
func parseDuration(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        if let v = Double(text.dropLast(suffix.count)) { return v * scale }
    }
    return nil
}
