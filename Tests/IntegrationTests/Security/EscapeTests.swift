import Foundation
import RoostTestSupport
import Testing

/// Attacks from inside a container on roost's own processes (docs/SECURITY.md): the fds, exe,
/// cwd and root of init while it waits for `start`, and of the exec child before its execve. The
/// attacker is Tests/fixtures/escape.c (/bin/escape in the rootfs), which prints "ESCAPED: ..."
/// when it gets out. Each test names the defence it proves; each fails without it.
@Suite("escapes through roost's own processes", needsContainers)
struct EscapeTests {
    /// A file on the host, outside the rootfs, that no process in the container may read.
    static func hostSecret(_ b: TestBundle) throws -> String {
        let path = b.path + "/host-secret"
        try "host secret \(b.id)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Gives the container's process CAP_SYS_PTRACE (in every set but ambient).
    static func grantPtrace(_ b: TestBundle) {
        var p = b.process
        var caps = p["capabilities"] as? [String: Any] ?? [:]
        for set in ["bounding", "effective", "permitted"] { caps[set] = (caps[set] as? [String] ?? []) + ["CAP_SYS_PTRACE"] }
        p["capabilities"] = caps
        b.process = p
    }

    /// roost from a copy of the binary in the bundle: once no roost runs from it, it is not busy,
    /// so an attacker holding it could write it; the copy keeps a successful attack away from the
    /// binary every other test runs.
    static func privateRoost(_ b: TestBundle) throws -> (([String]) -> RoostResult) {
        let copy = b.path + "/roost"
        // Written through a close-on-exec fd: a process the other tests spawn meanwhile must
        // not inherit it open for writing (execve would fail with ETXTBSY).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.binary))
        let fd = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw FixtureError("create \(copy): \(errno)") }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw FixtureError("write \(copy): \(errno)") }
        return { args in runProgram(copy, ["--root", TestEnvironment.stateRoot] + args, cwd: b.path) }
    }

    /// Waits (up to `seconds`) until the file in the container's /dev/shm has a line with one of
    /// `endings`, and returns its text.
    static func waitForOutput(_ roost: ([String]) -> RoostResult, _ id: String, _ file: String, endings: [String], seconds: Double) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var text = ""
        repeat {
            text = roost(["exec", id, "cat", file]).stdout
            if endings.contains(where: { text.contains($0) }) { return text }
            usleep(100_000)
        } while Date() < deadline
        return text
    }

    @Test("a created init holds only stdio and sockets: no host directory to walk out of, even with CAP_SYS_PTRACE (CVE-2024-21626)")
    func createdInitFDs() throws {
        try withBundle { b in
            let secret = try Self.hostSecret(b)
            Self.grantPtrace(b)
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            let c = b.roost(["create", "--bundle", b.path, b.id])
            #expect(c.status == 0, "\(c)")
            let pid = try #require(stateOf(b)?["pid"] as? Int, "no init pid")
            // From the host, as runc's "detect fd leak" test looks: what init holds while it waits.
            for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") where Int(entry)! > 2 {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(entry)")) ?? "?"
                #expect(target.hasPrefix("socket:[") || target.hasPrefix("pipe:[") || target.hasPrefix("anon_inode:"), "init holds fd \(entry) -> \(target)")
            }
            // From inside, with CAP_SYS_PTRACE, which opens /proc/1/fd of a process that is not
            // dumpable: every fd, cwd and root of init, walked up towards the host's file.
            let r = b.roost(["exec", b.id, "escape", "fds", "1", secret])
            #expect(r.status == 0 && r.stdout.contains("no way out") && !r.stdout.contains("ESCAPED"), "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("a created init is not dumpable: its exe, fds, cwd and root are closed to the container's processes")
    func initNotDumpable() throws {
        try withBundle { b in
            let secret = try Self.hostSecret(b)
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            #expect(b.roost(["create", "--bundle", b.path, b.id]).status == 0)
            let exe = b.roost(["exec", b.id, "escape", "exe", "1", "0"])
            #expect(exe.stdout.contains("cannot open /proc/1/exe: Permission denied"), "\(exe)")
            for link in ["cwd", "root"] {
                let r = b.roost(["exec", b.id, "readlink", "/proc/1/\(link)"])
                #expect(r.status != 0 && r.stdout.isEmpty, "/proc/1/\(link): \(r)")
            }
            let fds = b.roost(["exec", b.id, "escape", "fds", "1", secret])
            #expect(fds.status == 0 && !fds.stdout.contains("ESCAPED"), "\(fds)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("a created init seen by a process with CAP_SYS_PTRACE runs from roost's sealed binary: its exe cannot be written (CVE-2019-5736)")
    func sealedInit() throws {
        try withBundle { b in
            Self.grantPtrace(b)
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            let roost = try Self.privateRoost(b)
            #expect(roost(["create", "--bundle", b.path, b.id]).status == 0)
            // The attacker opens init's exe while init is roost's clone, keeps it, and tries to
            // write through it once start is done and no roost runs.
            let a = roost(["exec", "-d", b.id, "sh", "-c", "escape exe 1 8 > /dev/shm/exe.out 2>&1"])
            #expect(a.status == 0, "\(a)")
            let opened = Self.waitForOutput(roost, b.id, "/dev/shm/exe.out", endings: ["exe: opened", "cannot open"], seconds: 5)
            #expect(opened.contains("exe: opened /proc/1/exe"), "the attack did not get as far as opening init's exe: \(opened)")
            #expect(roost(["start", b.id]).status == 0)
            let out = Self.waitForOutput(roost, b.id, "/dev/shm/exe.out", endings: ["not writable", "ESCAPED"], seconds: 15)
            #expect(out.contains("not writable: Read-only file system") && !out.contains("ESCAPED"), "\(out)")
            #expect(roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("an exec child seen by a process with CAP_SYS_PTRACE holds no host fd and runs from the sealed binary (CVE-2019-5736)")
    func execChild() throws {
        try withBundle { b in
            let secret = try Self.hostSecret(b)
            Self.grantPtrace(b)
            // A seccomp agent on the host holds every close_range for a second: the exec child's
            // last call before execve, so it waits where the container sees it.
            let agentSocket = b.path + "/agent.sock"
            let agentPath = b.rootfs + "/bin/escape"
            let agent = Process()
            agent.executableURL = URL(fileURLWithPath: agentPath)
            agent.arguments = ["agent", agentSocket, "1"]
            try agent.run()
            b.onTeardown { kill(agent.processIdentifier, SIGKILL); agent.waitUntilExit() }
            for _ in 0..<50 where !FileManager.default.fileExists(atPath: agentSocket) { usleep(20_000) }
            var linux = b.linux
            linux["seccomp"] = [
                "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": agentSocket,
                "syscalls": [["names": ["close_range"], "action": "SCMP_ACT_NOTIFY"]],
            ]
            b.linux = linux
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            let roost = try Self.privateRoost(b)
            #expect(roost(["run", "-d", "--bundle", b.path, b.id]).status == 0)
            let w = roost(["exec", "-d", b.id, "sh", "-c", "escape watch 4 \(secret) > /dev/shm/watch.out 2>&1"])
            #expect(w.status == 0, "\(w)")
            let e = roost(["exec", b.id, "true"])
            #expect(e.status == 0, "\(e)")
            let out = Self.waitForOutput(roost, b.id, "/dev/shm/watch.out", endings: ["not writable", "ESCAPED", "no runtime process"], seconds: 20)
            #expect(out.contains("watch: caught pid"), "the attacker never saw the exec child: \(out)")
            #expect(out.contains("not writable: Read-only file system") && !out.contains("ESCAPED"), "\(out)")
            #expect(roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("a container may join another's pid namespace only once that one's init is started or sealed; the other's execs then run sealed")
    func joinPidNamespace() throws {
        try withBundle("owner") { owner in
            owner.setArgs(["sleep", "60"])
            try owner.writeConfig()
            #expect(owner.roost(["create", "--bundle", owner.path, owner.id]).status == 0)
            let pid = try #require(stateOf(owner)?["pid"] as? Int)
            try withBundle("joiner") { joiner in
                joiner.addNamespace("pid", path: "/proc/\(pid)/ns/pid")
                joiner.setArgs(["sleep", "60"])
                try joiner.writeConfig()
                // The owner's init is roost's unsealed clone, waiting for start: a process of the
                // joiner could see it.
                let early = joiner.roost(["create", "--bundle", joiner.path, joiner.id])
                expectOneLineError(early, contains: "cannot join the pid namespace of container \"\(owner.id)\" before it is started")
                #expect(owner.roost(["start", owner.id]).status == 0)
                let late = joiner.roost(["create", "--bundle", joiner.path, joiner.id])
                #expect(late.status == 0, "\(late)")
                // The owner's execs are visible to the joiner's processes from now on: sealed.
                #expect(FileManager.default.fileExists(atPath: "\(TestEnvironment.stateRoot)/\(owner.id)/ptrace-visible"))
                #expect(joiner.roost(["delete", "--force", joiner.id]).status == 0)
            }
            #expect(owner.roost(["delete", "--force", owner.id]).status == 0)
        }
    }

    @Test("exec of a process that may hold CAP_SYS_PTRACE into a created container whose init is unsealed is refused")
    func ptraceExecBeforeStart() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            #expect(b.roost(["create", "--bundle", b.path, b.id]).status == 0)
            let r = b.roost(["exec", "--cap", "CAP_SYS_PTRACE", b.id, "true"])
            expectOneLineError(r, contains: "cannot exec a process that may hold CAP_SYS_PTRACE before the container is started")
            #expect(stateOf(b)?["status"] as? String == "created")
            #expect(b.roost(["start", b.id]).status == 0)
            let after = b.roost(["exec", "--cap", "CAP_SYS_PTRACE", b.id, "true"])
            #expect(after.status == 0, "\(after)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}
