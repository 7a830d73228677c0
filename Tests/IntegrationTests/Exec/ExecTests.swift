import Foundation
import RoostTestSupport
import Testing

@Suite("exec", needsContainers)
struct ExecTests {
    /// Starts the bundle's container detached, running `sleep` unless told otherwise.
    func startSleeping(_ b: TestBundle, configure: (TestBundle) -> Void = { _ in }) throws {
        b.setArgs(["sleep", "60"])
        configure(b)
        try expectRun(b, ["-d"], status: 0)
    }

    @Test("the process joins every namespace and the cgroups of the container's init")
    func joinsEverything() throws {
        try withBundle { b in
            try startSleeping(b) { $0.addNamespace("cgroup") }
            let script = "for n in ipc mnt net pid uts cgroup; do [ \"$(readlink /proc/self/ns/$n)\" = \"$(readlink /proc/1/ns/$n)\" ] || echo differs $n; done; [ \"$(cat /proc/self/cgroup)\" = \"$(cat /proc/1/cgroup)\" ] || echo cgroup differs; echo $$"
            let r = b.roost(["exec", b.id, "sh", "-c", script])
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == 1 && (Int(lines[0]) ?? 0) > 1, "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("exit codes: the process's, 128+N for signal N, 255 when it cannot start")
    func exitCodes() throws {
        try withBundle { b in
            try startSleeping(b)
            #expect(b.roost(["exec", b.id, "sh", "-c", "exit 9"]).status == 9)
            #expect(b.roost(["exec", b.id, "sh", "-c", "kill -KILL $$"]).status == 137)
            let missing = b.roost(["exec", b.id, "no-such-thing"])
            #expect(missing.status == 255)
            expectOneLineError(missing, contains: "exec \"no-such-thing\": executable file not found in the container's PATH")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("exec into a stopped or missing container fails with 255 and one line")
    func stoppedOrMissing() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try expectRun(b, ["--keep"], status: 0)
            let r = b.roost(["exec", b.id, "true"])
            #expect(r.status == 255)
            expectOneLineError(r, contains: "cannot exec in a stopped container")
            #expect(b.roost(["delete", b.id]).status == 0)
            let gone = b.roost(["exec", b.id, "true"])
            #expect(gone.status == 255)
            expectOneLineError(gone, contains: "does not exist")
        }
    }

    @Test("--env, --cwd, --user, --additional-gids")
    func flags() throws {
        try withBundle { b in
            try startSleeping(b)
            let r = b.roost(["exec", "-e", "A=1", "--env", "B=two words", "--cwd", "/tmp", "-u", "1000:1000", "-g", "10", "--additional-gids", "20", b.id, "sh", "-c", "echo \"$A $B\"; pwd; id"])
            #expect(r.stdout == "1 two words\n/tmp\nuid=1000(user) gid=1000(user) groups=10,20\n", "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("the container's capabilities and no_new_privs apply; --cap adds, --no-new-privs sets")
    func capsAndNNP() throws {
        try withBundle { b in
            try startSleeping(b) { $0.process["noNewPrivileges"] = false }
            let plain = b.roost(["exec", b.id, "cat", "/proc/self/status"])
            #expect(statusField(plain.stdout, "CapEff") == "0000000020000420", "\(plain)")
            #expect(statusField(plain.stdout, "NoNewPrivs") == "0")
            let more = b.roost(["exec", "--cap", "CAP_SYS_ADMIN", "--no-new-privs", b.id, "cat", "/proc/self/status"])
            #expect(statusField(more.stdout, "CapEff") == "0000000020200420", "\(more)")
            #expect(statusField(more.stdout, "NoNewPrivs") == "1")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("--process takes a whole process.json; its errors name the file and path")
    func processFile() throws {
        try withBundle { b in
            try startSleeping(b)
            let good = b.path + "/process.json"
            try #"{"args": ["sh", "-c", "echo $X; id -u"], "cwd": "/", "env": ["X=from file", "PATH=/bin"], "user": {"uid": 1000, "gid": 1000}}"#
                .write(toFile: good, atomically: true, encoding: .utf8)
            let r = b.roost(["exec", "-p", good, b.id])
            #expect(r.stdout == "from file\n1000\n", "\(r)")
            let bad = b.path + "/bad.json"
            try #"{"args": [], "cwd": "/", "user": {"uid": 0, "gid": 0}}"#.write(toFile: bad, atomically: true, encoding: .utf8)
            let e = b.roost(["exec", "--process", bad, b.id])
            #expect(e.status == 255)
            expectOneLineError(e, contains: "\(bad): args: must not be empty")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("--detach returns at once and --pid-file names the process, which runs in the container")
    func detachAndPidFile() throws {
        try withBundle { b in
            try startSleeping(b)
            let file = b.path + "/exec.pid"
            let r = b.roost(["exec", "-d", "--pid-file", file, b.id, "sleep", "50"])
            #expect(r.status == 0, "\(r)")
            let pid = Int32(try String(contentsOfFile: file, encoding: .utf8)) ?? 0
            #expect(pid > 0 && kill(pid, 0) == 0, "exec'd process \(pid) should run")
            let initPid = stateOf(b)?["pid"] as? Int ?? 0
            #expect((try? readlinkPath("/proc/\(pid)/ns/pid")) == (try? readlinkPath("/proc/\(initPid)/ns/pid")))
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            #expect(eventually { kill(pid, 0) != 0 }, "delete --force must end exec'd processes too")
        }
    }

    @Test("stdin is piped through, and signals to roost exec reach the process")
    func stdinAndSignals() throws {
        try withBundle { b in
            try startSleeping(b)
            let r = b.roost(["exec", b.id, "tr", "a-z", "A-Z"], stdin: "shout\n")
            #expect(r.stdout == "SHOUT\n", "\(r)")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestEnvironment.binary)
            p.arguments = ["--root", TestEnvironment.stateRoot, "exec", b.id, "sh", "-c", "trap 'exit 42' USR1; touch /dev/shm/armed; while :; do sleep 0.1; done"]
            try p.run()
            #expect(eventually { b.roost(["exec", b.id, "test", "-e", "/dev/shm/armed"]).status == 0 })
            kill(p.processIdentifier, SIGUSR1)
            p.waitUntilExit()
            #expect(p.terminationStatus == 42)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("only stdio and --preserve-fds reach the process")
    func fds() throws {
        try withBundle { b in
            try startSleeping(b)
            try "kept\n".write(toFile: b.path + "/f3", atomically: true, encoding: .utf8)
            let r = sh("cd \(b.path) && exec 3<f3 4</dev/null && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) exec --preserve-fds 1 \(b.id) sh -c 'cat <&3; for fd in 4 5 6; do [ -e /proc/self/fd/$fd ] && echo leaked $fd; done; echo end'")
            #expect(r.stdout == "kept\nend\n", "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("exec into a container with a user namespace runs as its mapped root")
    func userNamespace() throws {
        try withBundle { b in
            sh("chown -R 100000:100000 \(b.rootfs)")
            try startSleeping(b) { b in
                b.addNamespace("user")
                var l = b.linux
                l["uidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
                l["gidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
                b.linux = l
            }
            let r = b.roost(["exec", b.id, "sh", "-c", "id -u; cat /proc/self/uid_map"])
            #expect(r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }) == ["0", "0", "100000", "65536"], "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("--pidfd-socket sends a pidfd of the exec'd process with runc's message")
    func pidfdSocket() throws {
        try withBundle { b in
            try startSleeping(b)
            let receiver = try FDReceiver(path: b.path + "/exec-pidfd.sock")
            let result = LockedBox<(String, Int32)?>(nil)
            let thread = Thread { result.value = receiver.receive() }
            thread.start()
            let r = b.roost(["exec", "-d", "--pidfd-socket", receiver.path, "--pid-file", b.path + "/p", b.id, "sleep", "30"])
            #expect(r.status == 0, "\(r)")
            #expect(eventually { result.value != nil })
            let (message, fd) = try #require(result.value)
            defer { close(fd) }
            #expect(message == "setns")
            let pid = try String(contentsOfFile: b.path + "/p", encoding: .utf8)
            #expect(try String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8).contains("Pid:\t\(pid)\n"))
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("exec -d -t without a console socket is refused, as runc does")
    func detachedTTYNeedsSocket() throws {
        try withBundle { b in
            try startSleeping(b)
            let r = b.roost(["exec", "-d", "-t", b.id, "true"])
            #expect(r.status == 255)
            expectOneLineError(r, contains: "cannot allocate a tty when roost detaches without --console-socket")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}

func readlinkPath(_ path: String) throws -> String { try FileManager.default.destinationOfSymbolicLink(atPath: path) }
