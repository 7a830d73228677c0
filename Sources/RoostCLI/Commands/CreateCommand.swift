import Glibc
import RoostLinux
import RoostRuntime

/// `roost create [flags] ID`, and the flags `run` shares with it.
enum CreateCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        try Container.create(id: a.positionals[0], stateRoot: g.root, options: options(a, g, command: "create"))
        return 0
    }

    /// The flags `create` and `run` share.
    static func options(_ a: ParsedArguments, _ g: GlobalContext, command: String) throws -> Container.CreateOptions {
        if g.systemdCgroup {
            // sd_booted(3)'s test: systemd, as PID 1, made /run/systemd/system.
            guard FileIO.isDirectory("/run/systemd/system") else {
                var pid1 = "unknown"
                if let comm = try? FileIO.read("/proc/1/comm") { pid1 = String(decoding: comm.prefix { $0 != 10 }, as: UTF8.self) }
                throw UsageError(description: "\(command): --systemd-cgroup: systemd is not running on this host (PID 1 is \(pid1)); use the default cgroupfs driver")
            }
        }

        var o = Container.CreateOptions()
        o.systemdCgroup = g.systemdCgroup
        o.bundle = a.value("bundle")
        o.pidFile = a.value("pid-file")
        o.noPivot = a.flag("no-pivot")
        o.noNewKeyring = a.flag("no-new-keyring")
        o.pidfdSocket = a.value("pidfd-socket")
        // Socket activation (sd_listen_fds): only when LISTEN_PID names roost itself.
        if let pid = getenv("LISTEN_PID").map({ String(cString: $0) }), Int32(pid) == getpid(),
            let n = getenv("LISTEN_FDS").map({ String(cString: $0) }).flatMap({ Int32($0) }), n > 0
        {
            o.listenFDs = n
        }
        o.consoleSocket = a.value("console-socket")
        o.detach = command == "create" || a.flag("detach")
        if let n = a.value("preserve-fds") {
            guard let v = Int32(n), v >= 0 else { throw UsageError(description: "--preserve-fds: invalid value \"\(n)\"") }
            o.preserveFDs = v
        }
        return o
    }
}
