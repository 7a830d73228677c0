import Foundation
import RoostTestSupport
import Testing

/// `roost state ID` parsed.
func stateOf(_ b: TestBundle, _ id: String? = nil) -> [String: Any]? {
    let r = b.roost(["state", id ?? b.id])
    guard r.status == 0 else { return nil }
    return try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
}

/// Waits until `body` holds, for at most `seconds`.
func eventually(_ seconds: Double = 5, _ body: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if body() { return true }
        usleep(20_000)
    }
    return body()
}

@Suite("create, start, state, list, kill, delete", needsContainers)
struct LifecycleTests {
    @Test("create leaves init waiting; start runs the process with create's stdio; delete removes it")
    func createStartDelete() throws {
        try withBundle { b in
            b.shell("echo hello from the container")
            try b.writeConfig()
            let out = b.path + "/out.txt"
            let create = sh("cd \(b.path) && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) create \(b.id) > \(out) 2>&1")
            #expect(create.status == 0, "\(create)")
            let s = try #require(stateOf(b))
            #expect(s["status"] as? String == "created")
            #expect(s["ociVersion"] as? String == "1.3.0" && s["id"] as? String == b.id)
            #expect(s["bundle"] as? String == b.path && s["rootfs"] as? String == b.rootfs)
            #expect((s["pid"] as? Int ?? 0) > 0 && s["owner"] as? String == "")
            #expect((s["created"] as? String ?? "").hasSuffix("Z"))
            #expect(FileManager.default.fileExists(atPath: "\(TestEnvironment.stateRoot)/\(b.id)/exec.sock"))
            #expect(try String(contentsOfFile: out, encoding: .utf8).isEmpty, "the process must not run before start")

            let start = b.roost(["start", b.id])
            #expect(start.status == 0 && start.stdout.isEmpty && start.stderr.isEmpty, "\(start)")
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(stateOf(b)?["pid"] as? Int == 0, "a stopped container reports pid 0")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == "hello from the container\n")

            let delete = b.roost(["delete", b.id])
            #expect(delete.status == 0, "\(delete)")
            expectOneLineError(b.roost(["state", b.id]), contains: "container \"\(b.id)\" does not exist")
        }
    }

    @Test("start refuses a container that is not created")
    func startTwice() throws {
        try withBundle { b in
            b.setArgs(["sleep", "30"])
            try expectRun(b, ["--detach"], status: 0)
            expectOneLineError(b.roost(["start", b.id]), contains: "cannot start a container that is running")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            expectOneLineError(b.roost(["start", b.id]), contains: "does not exist")
        }
    }

    @Test("run --detach returns once the process runs; list shows it")
    func detach() throws {
        try withBundle { b in
            b.setArgs(["sleep", "30"])
            let r = try b.run(["-d"])
            #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
            #expect(stateOf(b)?["status"] as? String == "running")
            let list = b.roost(["list"])
            let lines = list.stdout.split(separator: "\n")
            #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"])
            let row = lines.first { $0.hasPrefix(b.id + " ") }?.split(separator: " ", omittingEmptySubsequences: true) ?? []
            #expect(row.count == 6 && row[2] == "running" && row[3] == Substring(b.path) && row[5] == "root", "\(list)")
            let json = b.roost(["list", "--format", "json"])
            let arr = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(arr.contains { $0["id"] as? String == b.id && $0["status"] as? String == "running" && $0["owner"] as? String == "root" })
            #expect(b.roost(["list", "-q"]).stdout.split(separator: "\n").contains(Substring(b.id)))
            expectOneLineError(b.roost(["delete", b.id]), contains: "cannot delete a container that is running")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("run --keep keeps the stopped container until delete")
    func keep() throws {
        try withBundle { b in
            b.shell("exit 7")
            let r = try b.run(["--keep"])
            #expect(r.status == 7, "\(r)")
            #expect(stateOf(b)?["status"] as? String == "stopped")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("kill takes signal names with or without SIG and numbers; default SIGTERM", arguments: [
        ([], 15), (["KILL"], 9), (["SIGUSR1"], 10), (["usr2"], 12), (["9"], 9), (["SIGRTMIN+2"], 36),
    ])
    func killSignals(args: [String], expected: Int) throws {
        try withBundle { b in
            // The init shell reports which signal reached it; SIGKILL cannot be trapped.
            let traps = (1...64).filter { ![9, 17, 19, 32, 33].contains($0) }.map { "trap 'echo $(( \($0) )) > /sig; exit 0' \($0)" }.joined(separator: "; ")
            b.config["root"] = ["path": "rootfs", "readonly": false]
            b.shell("\(traps); touch /ready; while :; do sleep 0.1; done")
            try expectRun(b, ["-d"], status: 0)
            #expect(eventually { FileManager.default.fileExists(atPath: b.rootfs + "/ready") })
            let k = b.roost(["kill", b.id] + args)
            #expect(k.status == 0, "\(k)")
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            if expected != 9 {
                #expect((try? String(contentsOfFile: b.rootfs + "/sig", encoding: .utf8)) == "\(expected)\n")
            }
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("kill refuses an unknown signal and a stopped container; --all on a stopped one is fine")
    func killErrors() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try expectRun(b, ["--keep"], status: 0)
            expectOneLineError(b.roost(["kill", b.id, "NOPE"]), contains: "unknown signal \"NOPE\"")
            expectOneLineError(b.roost(["kill", b.id]), contains: "container not running")
            #expect(b.roost(["kill", "--all", b.id, "KILL"]).status == 0)
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("kill --all signals every process of a container without its own pid namespace")
    func killAll() throws {
        try withBundle { b in
            b.removeNamespace("pid")
            b.shell("sleep 100 & sleep 100 & trap '' TERM; wait")
            try expectRun(b, ["-d"], status: 0)
            let pid = try #require(stateOf(b)?["pid"] as? Int)
            #expect(eventually { sh("pgrep -P \(pid) sleep | wc -l").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2" })
            let children = sh("pgrep -P \(pid) sleep").stdout.split(separator: "\n").compactMap { Int32($0) }
            #expect(b.roost(["kill", "--all", b.id, "KILL"]).status == 0)
            #expect(eventually { children.allSatisfy { kill($0, 0) != 0 } })
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("without a pid namespace, processes left when init exits are killed on delete")
    func leftoversKilled() throws {
        try withBundle { b in
            b.removeNamespace("pid")
            b.shell("sleep 100 & echo $!")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let pid = Int32(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(pid > 0 && eventually { kill(pid, 0) != 0 }, "the background sleep \(pid) outlived its container")
        }
    }

    @Test("delete of a created container needs no --force; delete of a missing id fails unless --force")
    func deleteRules() throws {
        try withBundle { b in
            try b.writeConfig()
            #expect(b.roost(["create", "--bundle", b.path, b.id]).status == 0)
            #expect(b.roost(["delete", b.id]).status == 0)
            expectOneLineError(b.roost(["delete", b.id]), contains: "container \"\(b.id)\" does not exist")
            let forced = b.roost(["delete", "--force", b.id])
            #expect(forced.status == 0 && forced.stderr.isEmpty, "\(forced)")
        }
    }

    @Test("create with --pid-file writes init's pid")
    func createPidFile() throws {
        try withBundle { b in
            try b.writeConfig()
            let file = b.path + "/pid"
            #expect(b.roost(["create", "--pid-file", file, "--bundle", b.path, b.id]).status == 0)
            let pid = stateOf(b)?["pid"] as? Int
            #expect(try String(contentsOfFile: file, encoding: .utf8) == pid.map(String.init))
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("wrong argument counts and unknown flags fail with exit 1")
    func usage() throws {
        try withBundle { b in
            expectOneLineError(b.roost(["start"]), contains: "\"start\" requires exactly 1 argument")
            expectOneLineError(b.roost(["kill", b.id, "TERM", "extra"]), contains: "\"kill\" requires 1 to 2 arguments")
            expectOneLineError(b.roost(["delete", "--bogus", b.id]), contains: "flag provided but not defined: -bogus")
        }
    }
}

@Suite("state directories under concurrency and crashes", needsContainers)
struct RobustnessTests {
    /// Runs `count` roost commands at once (background jobs of one shell) and returns their results.
    func concurrently(_ count: Int, _ args: (Int) -> [String], cwd: String) -> [RoostResult] {
        let dir = cwd + "/concurrent-\(UUID().uuidString.prefix(6))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var script = "cd \(cwd)\n"
        for i in 0..<count {
            let argv = (["--root", TestEnvironment.stateRoot] + args(i)).map { "'\($0)'" }.joined(separator: " ")
            script += "(\(TestEnvironment.binary) \(argv) >\(dir)/out.\(i) 2>\(dir)/err.\(i); echo $? >\(dir)/rc.\(i)) &\n"
        }
        script += "wait\n"
        sh(script)
        return (0..<count).map { i in
            RoostResult(
                status: Int32((try? String(contentsOfFile: "\(dir)/rc.\(i)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1,
                stdout: (try? String(contentsOfFile: "\(dir)/out.\(i)", encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: "\(dir)/err.\(i)", encoding: .utf8)) ?? "")
        }
    }

    @Test("16 creates of distinct ids at once all succeed")
    func distinctIDs() throws {
        try withBundle { b in
            try b.writeConfig()
            let ids = (0..<16).map { "\(b.id)-\($0)" }
            let results = concurrently(16, { ["create", "--bundle", b.path, ids[$0]] }, cwd: b.path)
            for (i, r) in results.enumerated() { #expect(r.status == 0, "\(ids[i]): \(r)") }
            for id in ids { #expect(stateOf(b, id)?["status"] as? String == "created") }
            let deletes = concurrently(16, { ["delete", ids[$0]] }, cwd: b.path)
            for r in deletes { #expect(r.status == 0, "\(r)") }
            for id in ids { #expect(!FileManager.default.fileExists(atPath: TestEnvironment.stateRoot + "/" + id)) }
        }
    }

    @Test("8 creates of the same id at once: exactly one succeeds")
    func sameID() throws {
        try withBundle { b in
            try b.writeConfig()
            let results = concurrently(8, { _ in ["create", "--bundle", b.path, b.id] }, cwd: b.path)
            #expect(results.filter { $0.status == 0 }.count == 1, "\(results)")
            for r in results where r.status != 0 {
                expectOneLineError(r, contains: "container \"\(b.id)\" already exists")
            }
            #expect(stateOf(b)?["status"] as? String == "created")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("kill -9 of roost during create, then delete --force, leaves nothing", arguments: [0, 2_000, 5_000, 10_000, 20_000])
    func killDuringCreate(delayMicroseconds: Int) throws {
        try withBundle { b in
            // A slow createRuntime hook widens the window.
            var hooks: [String: Any] = [:]
            hooks["createRuntime"] = [["path": "/bin/sleep", "args": ["sleep", "0.05"]]]
            b.config["hooks"] = hooks
            try b.writeConfig()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestEnvironment.binary)
            p.arguments = ["--root", TestEnvironment.stateRoot, "create", "--bundle", b.path, b.id]
            try p.run()
            usleep(useconds_t(delayMicroseconds))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let d = b.roost(["delete", "--force", b.id])
            #expect(d.status == 0, "\(d)")
            // The init dies with roost (parent-death signal); give the kernel a moment.
            #expect(eventually { b.leaks().isEmpty }, "\(b.leaks())")
        }
    }

    @Test("a corrupt state.json is a clear error for that id, and list still lists the others")
    func corruptState() throws {
        try withBundle { b in
            try b.writeConfig()
            let other = b.id + "-ok"
            #expect(b.roost(["create", "--bundle", b.path, b.id]).status == 0)
            #expect(b.roost(["create", "--bundle", b.path, other]).status == 0)
            let file = "\(TestEnvironment.stateRoot)/\(b.id)/state.json"
            let text = try String(contentsOfFile: file, encoding: .utf8)
            try String(text.prefix(text.count / 2)).write(toFile: file, atomically: false, encoding: .utf8)
            let pid = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["pid"] as? Int
            expectOneLineError(b.roost(["state", b.id]), contains: "state.json is corrupt")
            let list = b.roost(["list"])
            #expect(list.status == 0)
            #expect(list.stdout.contains(other + " "), "\(list)")
            #expect(list.stderr.contains("state.json is corrupt"), "\(list)")
            #expect(b.roost(["delete", other]).status == 0)
            expectOneLineError(b.roost(["delete", b.id]), contains: "state.json is corrupt")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            // The forced delete could not know the init: end it as an operator would.
            if let pid { kill(pid_t(pid), SIGKILL) }
            #expect(eventually { b.leaks().isEmpty })
        }
    }
}

@Suite("--log and --log-format", needsContainers)
struct LogTests {
    @Test("errors go to stderr and, as runc's JSON lines, to --log", arguments: ["json", "text"])
    func errorLogged(format: String) throws {
        try withBundle { b in
            let log = b.path + "/roost.log"
            let r = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--log", log, "--log-format", format, "state", b.id])
            expectOneLineError(r, contains: "does not exist")
            let line = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
            if format == "json" {
                let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                #expect(o["level"] as? String == "error")
                #expect((o["msg"] as? String ?? "").contains("does not exist"))
                #expect((o["time"] as? String ?? "").hasSuffix("Z"))
                #expect(line.hasPrefix("{\"level\":\"error\",\"msg\":"))
            } else {
                #expect(line.hasPrefix("time=\"") && line.contains(" level=error msg=\"") && line.contains("does not exist"), "\(line)")
            }
        }
    }
}
