import Foundation
import RoostTestSupport
import Testing

@Suite("roost run in the foreground", needsContainers)
struct RunTests {
    @Test("the default spec runs, and the process's output reaches the caller's stdout")
    func defaultSpecRuns() throws {
        try withBundle { b in
            b.setArgs(["echo", "hello"])
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout == "hello\n")
            #expect(r.stderr.isEmpty)
        }
    }

    @Test("the exit code is the process's", arguments: [0, 1, 3, 42, 255])
    func exitCode(code: Int) throws {
        try withBundle { b in
            b.shell("exit \(code)")
            let r = try b.run()
            #expect(r.status == Int32(code), "\(r)")
        }
    }

    @Test("a process killed by signal N gives 128+N", arguments: [9, 15])
    func signalExit(sig: Int) throws {
        try withBundle { b in
            // PID 1 ignores signals without handlers, so the signal comes from a child shell
            // replacing PID 1's wait: run the kill from a subprocess that is not PID 1.
            b.removeNamespace("pid")
            b.shell("kill -\(sig) $$")
            let r = try b.run()
            #expect(r.status == Int32(128 + sig), "\(r)")
        }
    }

    @Test("stdin of roost is the process's stdin")
    func stdinPassesThrough() throws {
        try withBundle { b in
            b.setArgs(["cat"])
            let r = try b.run(stdin: "from the caller\n")
            #expect(r.stdout == "from the caller\n", "\(r)")
        }
    }

    @Test("signals roost receives are forwarded to the process")
    func signalsForwarded() throws {
        try withBundle { b in
            b.shell("trap 'echo got USR1; exit 43' USR1; echo ready; while :; do sleep 0.1; done")
            try b.writeConfig()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestEnvironment.binary)
            p.arguments = ["--root", TestEnvironment.stateRoot, "run", "--bundle", b.path, b.id]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            // Wait until the trap is installed.
            var seen = ""
            while !seen.contains("ready") {
                let d = out.fileHandleForReading.availableData
                if d.isEmpty { break }
                seen += String(decoding: d, as: UTF8.self)
            }
            kill(p.processIdentifier, SIGUSR1)
            p.waitUntilExit()
            seen += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 43)
            #expect(seen.contains("got USR1"))
        }
    }

    @Test("--pid-file gets the init's host pid")
    func pidFile() throws {
        try withBundle { b in
            let pidFile = b.path + "/init.pid"
            // Without a pid namespace, $$ of the init shell is its host pid.
            b.removeNamespace("pid")
            b.setArgs(["sh", "-c", "echo $$"])
            let r = try b.run(["--pid-file", pidFile])
            #expect(r.status == 0, "\(r)")
            let written = try String(contentsOfFile: pidFile, encoding: .utf8)
            #expect(written == r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
