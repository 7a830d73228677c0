/// runc's commands and flags, declared once; one small parser reads this table for every verb.
/// (swift-argument-parser served the cold verbs once: it and the FoundationEssentials it brings
/// were a third of the binary and ~1.5 MiB of every run's resident memory, for six commands.)
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

    /// The verbs off the hot path.
    static let cold: [CommandSpec] = [
        CommandSpec(
            name: "spec", arguments: "", summary: "create a new specification file",
            flags: [
                FlagSpec("bundle", short: "b", value: true, "path to the root of the bundle directory"),
                FlagSpec("rootless", "generate a configuration for a rootless container"),
            ], positionals: 0...0),
        CommandSpec(name: "pause", arguments: "<container-id>", summary: "pause suspends all processes inside the container", flags: [], positionals: 1...1),
        CommandSpec(name: "resume", arguments: "<container-id>", summary: "resumes all processes that have been previously paused", flags: [], positionals: 1...1),
        CommandSpec(
            name: "ps", arguments: "<container-id> [ps options]", summary: "ps displays the processes running inside a container",
            flags: [FlagSpec("format", short: "f", value: true, "select one of: table or json (default: \"table\")")],
            positionals: 1...Int.max, flagsBeforeArgumentsOnly: true),
        CommandSpec(
            name: "update", arguments: "<container-id>", summary: "update container resource constraints",
            flags: [
                FlagSpec("resources", short: "r", value: true, "path to the file containing the resources to update or '-' to read from the standard input"),
                FlagSpec("blkio-weight", value: true, "specifies per cgroup weight, range is from 10 to 1000"),
                FlagSpec("cpu-period", value: true, "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
                FlagSpec("cpu-quota", value: true, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
                FlagSpec("cpu-burst", value: true, "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period"),
                FlagSpec("cpu-share", value: true, "CPU shares (relative weight vs. other containers)"),
                FlagSpec("cpu-rt-period", value: true, "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
                FlagSpec("cpu-rt-runtime", value: true, "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
                FlagSpec("cpuset-cpus", value: true, "CPU(s) to use"),
                FlagSpec("cpuset-mems", value: true, "Memory node(s) to use"),
                FlagSpec("cpu-idle", value: true, "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"),
                FlagSpec("kernel-memory", value: true, "(obsoleted; do not use)"),
                FlagSpec("kernel-memory-tcp", value: true, "(obsoleted; do not use)"),
                FlagSpec("memory", value: true, "Memory limit (in bytes)"),
                FlagSpec("memory-reservation", value: true, "Memory reservation or soft_limit (in bytes)"),
                FlagSpec("memory-swap", value: true, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
                FlagSpec("pids-limit", value: true, "Maximum number of pids allowed in the container"),
                FlagSpec("l3-cache-schema", value: true, "The string of Intel RDT/CAT L3 cache schema"),
                FlagSpec("mem-bw-schema", value: true, "The string of Intel RDT/MBA memory bandwidth schema"),
            ], positionals: 1...1),
        CommandSpec(
            name: "events", arguments: "<container-id>",
            summary: "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
            flags: [
                FlagSpec("interval", value: true, "set the stats collection interval (default: 5s)"),
                FlagSpec("stats", "display the container's stats then exit"),
            ], positionals: 1...1),
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

    static func command(_ name: String) -> CommandSpec? {
        name == "exec" ? exec : commands.first { $0.name == name } ?? cold.first { $0.name == name }
    }
}
