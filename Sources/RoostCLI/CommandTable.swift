/// runc's commands and flags, declared once. The fast parser reads this table for the hot-path
/// verbs (create, start, run, exec, delete, kill, state): swift-argument-parser costs more than a
/// whole process start per call (docs/PERFORMANCE.md), so it serves only the cold commands.
struct FlagSpec {
    let long: String
    let short: Character?
    /// Takes a value (`--bundle DIR`); otherwise a switch (`--detach`, `--detach=false`).
    let takesValue: Bool
    let help: String

    init(_ long: String, short: Character? = nil, value: Bool = false, _ help: String) {
        self.long = long
        self.short = short
        self.takesValue = value
        self.help = help
    }
}

struct CommandSpec {
    let name: String
    let arguments: String
    let summary: String
    let flags: [FlagSpec]
    let positionals: ClosedRange<Int>
    /// Flags are only read before the first positional (runc's exec: the rest is the command).
    var flagsBeforeArgumentsOnly = false
}

enum CommandTable {
    static let global: [FlagSpec] = [
        FlagSpec("root", value: true, "root directory for storage of container state (default \"/run/roost\")"),
        FlagSpec("log", value: true, "set the log file to write roost logs to (default is stderr)"),
        FlagSpec("log-format", value: true, "set the log format ('text' (default), or 'json')"),
        FlagSpec("debug", "enable debug logging"),
        FlagSpec("systemd-cgroup", "enable systemd cgroup support"),
        FlagSpec("rootless", value: true, "ignore cgroup permission errors ('true', 'false', or 'auto')"),
        FlagSpec("criu", value: true, "path to the criu binary used for checkpoint and restore"),
        FlagSpec("help", short: "h", "show help"),
        FlagSpec("version", short: "v", "print the version"),
    ]

    static let createFlags: [FlagSpec] = [
        FlagSpec("bundle", short: "b", value: true, "path to the root of the bundle directory, defaults to the current directory"),
        FlagSpec("console-socket", value: true, "path to an AF_UNIX socket which will receive the pty master"),
        FlagSpec("pidfd-socket", value: true, "path to an AF_UNIX socket which will receive a pidfd of the init"),
        FlagSpec("pid-file", value: true, "specify the file to write the process id to"),
        FlagSpec("no-pivot", "do not use pivot root to jail process inside rootfs"),
        FlagSpec("no-new-keyring", "do not create a new session keyring for the container"),
        FlagSpec("preserve-fds", value: true, "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"),
    ]

    static let commands: [CommandSpec] = [
        CommandSpec(
            name: "run", arguments: "<container-id>", summary: "create and run a container",
            flags: createFlags + [
                FlagSpec("detach", short: "d", "detach from the container's process"),
                FlagSpec("keep", "do not delete the container after it exits"),
                FlagSpec("no-subreaper", "disable the use of the subreaper used to reap reparented processes"),
            ], positionals: 1...1),
        CommandSpec(name: "create", arguments: "<container-id>", summary: "create a container", flags: createFlags, positionals: 1...1),
        CommandSpec(name: "start", arguments: "<container-id>", summary: "executes the user defined process in a created container", flags: [], positionals: 1...1),
        CommandSpec(name: "state", arguments: "<container-id>", summary: "output the state of a container", flags: [], positionals: 1...1),
        CommandSpec(
            name: "kill", arguments: "<container-id> [signal]", summary: "kill sends the specified signal (default: SIGTERM) to the container's init process",
            flags: [FlagSpec("all", short: "a", "send the specified signal to all processes inside the container")], positionals: 1...2),
        CommandSpec(
            name: "delete", arguments: "<container-id>", summary: "delete any resources held by the container often used with detached container",
            flags: [FlagSpec("force", short: "f", "forcibly deletes the container if it is still running (uses SIGKILL)")], positionals: 1...1),
        CommandSpec(
            name: "list", arguments: "", summary: "lists containers started by roost with the given root",
            flags: [
                FlagSpec("format", short: "f", value: true, "select one of: table or json (default: \"table\")"),
                FlagSpec("quiet", short: "q", "display only container IDs"),
            ], positionals: 0...0),
    ]

    static let exec = CommandSpec(
        name: "exec", arguments: "<container-id> <command> [command options] || -p process.json <container-id>",
        summary: "execute new process inside the container",
        flags: [
            FlagSpec("console-socket", value: true, "path to an AF_UNIX socket which will receive the pty master"),
            FlagSpec("pidfd-socket", value: true, "path to an AF_UNIX socket which will receive a pidfd of the process"),
            FlagSpec("cwd", value: true, "current working directory in the container"),
            FlagSpec("env", short: "e", value: true, "set environment variables (repeatable)"),
            FlagSpec("tty", short: "t", "allocate a pseudo-TTY"),
            FlagSpec("user", short: "u", value: true, "UID (format: <uid>[:<gid>])"),
            FlagSpec("additional-gids", short: "g", value: true, "additional gids (repeatable)"),
            FlagSpec("process", short: "p", value: true, "path to the process.json"),
            FlagSpec("detach", short: "d", "detach from the container's process"),
            FlagSpec("pid-file", value: true, "specify the file to write the process id to"),
            FlagSpec("process-label", value: true, "set the asm process label for the process commonly used with selinux"),
            FlagSpec("apparmor", value: true, "set the apparmor profile for the process"),
            FlagSpec("no-new-privs", "set the no new privileges value for the process"),
            FlagSpec("cap", short: "c", value: true, "add a capability to the bounding set for the process (repeatable)"),
            FlagSpec("preserve-fds", value: true, "pass N additional file descriptors to the container"),
            FlagSpec("cgroup", value: true, "run the process in an (existing) sub-cgroup(s)"),
            FlagSpec("ignore-paused", "allow exec in a paused container"),
        ], positionals: 1...Int.max, flagsBeforeArgumentsOnly: true)

    static func command(_ name: String) -> CommandSpec? { name == "exec" ? exec : commands.first { $0.name == name } }
}
