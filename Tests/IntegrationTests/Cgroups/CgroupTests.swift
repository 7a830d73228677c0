import Foundation
import RoostTestSupport
import Testing

/// What either cgroup driver must do alike, checked through roost's commands and the container's
/// behaviour rather than the driver's files: on this machine's v1 host and in the VM lane's v2.
@Suite("cgroups (either driver)", needsContainers,
    .enabled(if: isCgroupV1 || TestEnvironment.isCgroup2Only, "host has neither a cgroup v1 memory hierarchy nor cgroup2 alone"))
struct CgroupTests {
    @Test("a pids limit stops a fork flood")
    func pidsEnforced() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["pids": ["limit": 5]]
            b.linux = l
            b.removeNamespace("pid")
            b.shell("for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; wait")
            try expectRun(b, ["-d"], status: 0)
            // Let the loop try all eight; the kernel admits five tasks at most.
            usleep(300_000)
            let count = b.roost(["ps", "--format", "json", b.id]).stdout.split(separator: ",").count
            #expect(count >= 1 && count <= 5, "\(count) processes under a limit of 5")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("device rules: default deny, runc's allowed nodes work, others are refused")
    func devicesEnforced() throws {
        try withBundle { b in
            // A node the rules do not allow (1:11 is /dev/kmsg), made in the rootfs beforehand.
            #expect(sh("mknod \(b.rootfs)/kmsg c 1 11").status == 0)
            b.shell("echo ok > /dev/null && echo null-ok; head -c 1 /kmsg 2>&1 | grep -o 'Operation not permitted'")
            let r = try b.run()
            #expect(r.stdout == "null-ok\nOperation not permitted\n", "\(r)")
        }
    }

    @Test("pause freezes every process and resume thaws them; exec waits for resume")
    func pauseResume() throws {
        try withBundle { b in
            b.config["root"] = ["path": "rootfs", "readonly": false]
            b.shell("while :; do date +%s%N > /tick; sleep 0.05; done")
            try expectRun(b, ["-d"], status: 0)
            #expect(b.roost(["pause", b.id]).status == 0)
            #expect(stateOf(b)?["status"] as? String == "paused")
            let before = try String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8)
            usleep(300_000)
            #expect(try String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8) == before, "a paused container must not run")
            expectOneLineError(b.roost(["exec", b.id, "true"]), contains: "cannot exec in a paused container")
            expectOneLineError(b.roost(["pause", b.id]), contains: "cannot pause a container that is paused")
            #expect(b.roost(["resume", b.id]).status == 0)
            #expect(stateOf(b)?["status"] as? String == "running")
            #expect(eventually { (try? String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8)) != before })
            expectOneLineError(b.roost(["resume", b.id]), contains: "cannot resume a container that is running")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    /// SIGKILL waits while the v1 freezer holds a task: roost thaws a paused container once the
    /// signal is pending (as runc), or `delete --force` left it frozen in its cgroup for good.
    @Test("a paused container dies of delete --force and of kill KILL; nothing is left frozen")
    func killPaused() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let first = pid_t(stateOf(b)?["pid"] as? Int ?? -1)
            #expect(b.roost(["pause", b.id]).status == 0)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            #expect(eventually { kill(first, 0) != 0 }, "init \(first) outlived delete --force")

            try expectRun(b, ["-d"], status: 0)
            #expect(b.roost(["pause", b.id]).status == 0)
            #expect(b.roost(["kill", b.id, "KILL"]).status == 0)
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" }, "a paused container must die of KILL")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("ps lists the container's processes: json pids, and ps's table filtered")
    func ps() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let pid = stateOf(b)?["pid"] as? Int ?? -1
            let json = b.roost(["ps", "--format", "json", b.id])
            #expect(json.stdout == "[\(pid)]\n", "\(json)")
            let table = b.roost(["ps", b.id])
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.contains("PID") == true && lines.count == 2 && lines[1].contains("sleep 60"), "\(table)")
            let custom = b.roost(["ps", b.id, "-o", "pid,comm"])
            #expect(custom.stdout.split(separator: "\n").last?.contains("sleep") == true, "\(custom)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("kill --all reaches processes through the cgroup, with or without a pid namespace")
    func killAllCgroup() throws {
        try withBundle { b in
            b.shell("sleep 100 & sleep 100 & wait")
            try expectRun(b, ["-d"], status: 0)
            #expect(eventually { (try? String(contentsOfFile: "/proc/\(stateOf(b)?["pid"] as? Int ?? 0)/status", encoding: .utf8)) != nil })
            #expect(eventually { b.roost(["ps", "--format", "json", b.id]).stdout.split(separator: ",").count == 3 })
            #expect(b.roost(["kill", "--all", b.id, "KILL"]).status == 0)
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("update refuses a stopped container")
    func updateStopped() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try expectRun(b, ["--keep"], status: 0)
            expectOneLineError(b.roost(["update", "--memory", "64m", b.id]), contains: "container not running")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("events --stats prints one stats event with cpu, memory and pids figures")
    func statsOnce() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["pids": ["limit": 30], "memory": ["limit": 64 << 20]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let r = b.roost(["events", "--stats", b.id])
            #expect(r.status == 0 && r.stdout.split(separator: "\n").count == 1, "\(r)")
            let e = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(e["type"] as? String == "stats" && e["id"] as? String == b.id)
            let data = e["data"] as? [String: Any] ?? [:]
            #expect((data["pids"] as? [String: Any])?["current"] as? Int == 1 && (data["pids"] as? [String: Any])?["limit"] as? Int == 30, "\(data)")
            let usage = (data["memory"] as? [String: Any])?["usage"] as? [String: Any]
            #expect(usage?["limit"] as? Int == 64 << 20 && (usage?["usage"] as? Int ?? 0) > 0, "\(String(describing: usage))")
            #expect((((data["cpu"] as? [String: Any])?["usage"] as? [String: Any])?["total"] as? Int ?? 0) > 0)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("events streams stats at --interval and an oom event when the cgroup OOM-kills, until the container stops")
    func stream() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 16 << 20, "swap": 16 << 20]]
            b.linux = l
            // Grows past the limit after a while (tail keeps the whole input), then the shell ends.
            b.shell("sleep 0.5; head -c 256m /dev/zero | tail > /dev/null; sleep 0.3")
            try expectRun(b, ["-d"], status: 0)
            let r = b.roost(["events", "--interval", "200ms", b.id])
            #expect(r.status == 0, "\(r)")
            let types = r.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["type"] as? String
            }
            #expect(types.filter { $0 == "stats" }.count >= 2, "\(types)")
            #expect(types.contains("oom"), "\(types)")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("a memory floor: `true` runs under 512 KiB of memory and a pids limit of 1")
    func memoryFloor() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 512 << 10], "pids": ["limit": 1]]
            b.linux = l
            b.setArgs(["true"])
            try expectRun(b, [], status: 0)
        }
    }

    @Test("a limit too small to run is said plainly, not just 137")
    func tooSmall() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 128 << 10]]
            b.linux = l
            b.setArgs(["true"])
            let r = try b.run()
            #expect(r.status != 0)
            #expect(r.stderr.contains("killed by the OOM killer: linux.resources.memory.limit (131072 bytes) is too small"), "\(r)")
            #expect(r.stderrLines.count == 1, "\(r)")
        }
    }

    /// runc 1.5 refuses a container whose cgroup already exists frozen (factory_linux.go): its
    /// init would otherwise wait in the kernel's freezer, and `run` with it. The cgroup is not
    /// the container's, so nothing of it may be removed either.
    @Test("a cgroup that already exists frozen is refused at once, and left as it was")
    func preFrozenCgroup() throws {
        try withBundle { b in
            let path = "/roost-tests/\(b.id)"
            let (dir, file, frozen, thawed) = TestEnvironment.isCgroup2Only
                ? ("/sys/fs/cgroup" + path, "cgroup.freeze", "1", "0") : ("/sys/fs/cgroup/freezer" + path, "freezer.state", "FROZEN", "THAWED")
            #expect(sh("mkdir -p \(dir) && echo \(frozen) > \(dir)/\(file)").status == 0)
            defer { _ = sh("echo \(thawed) > \(dir)/\(file); rmdir \(dir) \((dir as NSString).deletingLastPathComponent) 2>/dev/null") }
            var l = b.linux
            l["cgroupsPath"] = path
            b.linux = l
            b.setArgs(["true"])
            try b.writeConfig()
            for verb in ["run", "create"] {
                // Bounded: without the check the command would wait for good.
                let r = runProgram("/usr/bin/timeout", ["20", TestEnvironment.binary, "--root", TestEnvironment.stateRoot, verb, "--bundle", b.path, b.id])
                expectOneLineError(r, contains: "linux.cgroupsPath: container's cgroup unexpectedly frozen")
                #expect(!FileManager.default.fileExists(atPath: TestEnvironment.stateRoot + "/" + b.id), "\(verb) left its state")
            }
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "the frozen cgroup was removed")
        }
    }

    @Test("a cgroup another container's processes are in is refused (runc 1.5), and they keep running")
    func nonEmptyCgroup() throws {
        try withBundle { a in
            try withBundle { b in
                for x in [a, b] {
                    var l = x.linux
                    l["cgroupsPath"] = "/roost-tests/shared-\(a.id)"
                    x.linux = l
                    x.setArgs(["sleep", "60"])
                }
                try expectRun(a, ["-d"], status: 0)
                expectOneLineError(try b.run(["-d"]), contains: "container's cgroup is not empty: 1 process(es) found")
                #expect(stateOf(a)?["status"] as? String == "running")
                #expect(a.roost(["delete", "--force", a.id]).status == 0)
            }
        }
    }

    /// Docker's default seccomp profile refuses clone3 with ENOSYS so that libc falls back to
    /// clone(2); roost then cannot have its processes born in the unified cgroup and they write
    /// themselves into cgroup.procs instead. Without that fallback both commands fail outright.
    @Test("without clone3 (refused with ENOSYS, as under Docker's default profile) run and exec still enter every cgroup")
    func withoutClone3() throws {
        let wrapper = URL(fileURLWithPath: TestEnvironment.rootfs).deletingLastPathComponent().path + "/noclone3"
        try #require(FileManager.default.isExecutableFile(atPath: wrapper), "no \(wrapper): build it with `make rootfs`")
        try withBundle { b in
            b.setArgs(["sleep", "30"])
            try b.writeConfig()
            func roost(_ args: [String]) -> RoostResult {
                runProgram(wrapper, [TestEnvironment.binary, "--root", TestEnvironment.stateRoot] + args, cwd: b.path)
            }
            func cgroupLines(_ pid: String) -> [Substring] {
                ((try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? "").split(separator: "\n")
            }
            let run = roost(["run", "-d", "--bundle", b.path, b.id])
            #expect(run.status == 0, "\(run)")
            let pid = String(stateOf(b)?["pid"] as? Int ?? -1)
            let initLines = cgroupLines(pid)
            #expect(!initLines.isEmpty && initLines.allSatisfy { $0.hasSuffix("/" + b.id) }, "init \(pid): \(initLines)")
            let pidFile = b.path + "/exec.pid"
            let exec = roost(["exec", "-d", "--pid-file", pidFile, b.id, "sleep", "30"])
            #expect(exec.status == 0, "\(exec)")
            let execPid = ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let execLines = cgroupLines(execPid)
            #expect(!execLines.isEmpty && execLines == initLines, "exec \(execPid): \(execLines), init: \(initLines)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}
