import Foundation
import RoostTestSupport
import Testing

@Suite("global flags", needsContainers)
struct GlobalFlagTests {
    @Test("--debug writes debug lines to --log")
    func debug() throws {
        try withBundle { b in
            let log = b.path + "/debug.log"
            b.setArgs(["true"])
            try b.writeConfig()
            let r = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--debug", "--log", log, "--log-format", "json", "run", "--bundle", b.path, b.id])
            #expect(r.status == 0, "\(r)")
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            #expect(lines.contains { $0.contains("\"level\":\"debug\"") && $0.contains("create \(b.id): init ") }, "\(lines)")
            #expect(r.stderr.isEmpty, "with --log, nothing of it on stderr: \(r)")
        }
    }

    /// As runc (logrus's default output): without --log the debug lines go to stderr, in
    /// runc's words for the steps runc's users and suite look for.
    @Test("--debug without --log writes logrus debug lines to stderr, for run and exec")
    func debugToStderr() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try b.writeConfig()
            let run = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--debug", "run", "--bundle", b.path, b.id])
            #expect(run.status == 0, "\(run)")
            for step in ["nsexec container setup", "child process in init()", "init: closing the pipe to signal completion"] {
                #expect(run.stderrLines.contains { $0.contains("level=debug") && $0.contains(step) }, "\(step): \(run.stderr)")
            }
            b.setArgs(["sleep", "30"])
            try b.writeConfig()
            #expect(b.roost(["run", "-d", "--bundle", b.path, b.id]).status == 0)
            let exec = b.roost(["--debug", "exec", b.id, "true"])
            #expect(exec.status == 0, "\(exec)")
            #expect(exec.stderrLines.contains { $0.contains("level=debug") && $0.contains("setns_init: about to exec") }, "\(exec.stderr)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("--systemd-cgroup: a clear error where systemd is not PID 1",
          .enabled(if: !FileManager.default.fileExists(atPath: "/run/systemd/system"), "systemd is PID 1 here: SystemdCgroupTests cover the driver"))
    func systemdCgroup() throws {
        try withBundle { b in
            try b.writeConfig()
            let r = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--systemd-cgroup", "create", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "--systemd-cgroup: systemd is not running on this host (PID 1 is ")
            // PID 1's name as /proc/1/comm has it, not an Optional's description.
            let comm = try String(contentsOfFile: "/proc/1/comm", encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
            #expect(r.stderr.contains("(PID 1 is \(comm));") && !r.stderr.contains("Optional("), "\(r.stderr)")
        }
    }

    @Test("--rootless takes true, false or auto; --criu takes a path")
    func rootlessAndCriu() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try b.writeConfig()
            let bad = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--rootless", "maybe", "list"])
            expectOneLineError(bad, contains: "--rootless: invalid value \"maybe\"")
            let ok = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--rootless", "auto", "--criu", "/usr/sbin/criu", "run", "--bundle", b.path, b.id])
            #expect(ok.status == 0, "\(ok)")
        }
    }

    @Test("run --no-subreaper runs the container too")
    func noSubreaper() throws {
        try withBundle { b in
            b.shell("exit 3")
            try expectRun(b, ["--no-subreaper"], status: 3)
        }
    }

    @Test("--version and --help answer without a container")
    func versionAndHelp() throws {
        let v = runProgram(TestEnvironment.binary, ["--version"])
        #expect(v.status == 0 && v.stdout.hasPrefix("roost version ") && v.stdout.contains("spec: 1.3.0"), "\(v)")
        let h = runProgram(TestEnvironment.binary, ["--help"])
        for command in ["run", "create", "start", "state", "kill", "delete", "list", "spec"] {
            #expect(h.stdout.contains("   \(command) "), "\(command) missing from help")
        }
        let ch = runProgram(TestEnvironment.binary, ["create", "--help"])
        #expect(ch.status == 0 && ch.stdout.contains("--pidfd-socket"), "\(ch)")
    }
}
