import ArgumentParser
import RoostRuntime

/// `roost events [--stats] [--interval D] ID`: runc's JSON event lines.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "display container events such as OOM notifications, cpu, memory, and IO usage statistics")
    @Flag(help: "display the container's stats then exit") var stats = false
    @Option(help: "set the stats collection interval (e.g. 5s, 500ms, 1m)") var interval = "5s"
    @Argument var id: String

    func run() {
        ColdCommands.guarded {
            guard let seconds = parseDuration(interval), seconds > 0 else {
                throw UsageError(description: "events: invalid --interval \"\(interval)\" (e.g. 5s, 500ms, 1m)")
            }
            try Container.events(id: id, stateRoot: ColdCommands.root, statsOnce: stats, interval: seconds) { Output.write($0 + "\n") }
        }
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
