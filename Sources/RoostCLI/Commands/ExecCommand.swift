import Glibc
import RoostLinux
import RoostRuntime

/// `roost exec [flags] ID COMMAND...` or `roost exec -p process.json ID`. As runc's, a failure
/// to start the process exits 255; otherwise the exit code is the process's.
enum ExecCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) -> Int32 {
        do {
            return try Container.exec(id: a.positionals[0], stateRoot: g.root, options: options(a))
        } catch {
            Report.fail("\(error)", code: 255)
        }
    }

    static func options(_ a: ParsedArguments) throws -> Container.ExecOptions {
        var o = Container.ExecOptions()
        // matches runc: an empty label is no label; any other needs SELinux on the host.
        if let label = a.value("process-label"), !label.isEmpty {
            guard SELinux.isEnabled else { throw UsageError(description: "exec: --process-label \"\(label)\": SELinux is disabled or not supported on this host") }
            o.selinuxLabel = label
        }
        if let profile = a.value("apparmor") {
            guard AppArmor.isEnabled else { throw UsageError(description: "exec: --apparmor \"\(profile)\": AppArmor is not enabled on this host") }
            o.apparmorProfile = profile
        }
        o.args = Array(a.positionals.dropFirst())
        o.processFile = a.value("process")
        o.cwd = a.value("cwd")
        o.env = a.all("env")
        o.user = a.value("user")
        o.additionalGids = a.all("additional-gids").flatMap { $0.fields(",").map(String.init) }
        o.capabilities = a.all("cap")
        o.noNewPrivileges = a.flag("no-new-privs")
        o.detach = a.flag("detach")
        o.pidFile = a.value("pid-file")
        o.ignorePaused = a.flag("ignore-paused")
        o.pidfdSocket = a.value("pidfd-socket")
        o.tty = a.flag("tty")
        o.cgroups = a.all("cgroup")
        o.consoleSocket = a.value("console-socket")
        if let n = a.value("preserve-fds") {
            guard let v = Int32(n), v >= 0 else { throw UsageError(description: "exec: --preserve-fds: invalid value \"\(n)\"") }
            o.preserveFDs = v
        }
        return o
    }
}
