import Foundation
import RoostTestSupport
import Testing

@Suite("roost spec", needsContainers)
struct SpecCommandTests {
    @Test("writes config.json into --bundle and refuses to overwrite it")
    func writesAndRefuses() throws {
        let dir = "/tmp/roost-it/spec-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = runProgram(TestEnvironment.binary, ["spec", "--bundle", dir])
        #expect(first.status == 0 && first.stdout.isEmpty && first.stderr.isEmpty, "\(first)")
        let text = try String(contentsOfFile: dir + "/config.json", encoding: .utf8)
        #expect(text.hasPrefix("{\n\t\"ociVersion\": \"1.3.0\",\n\t\"process\": {\n\t\t\"terminal\": true,"))
        let second = runProgram(TestEnvironment.binary, ["spec", "--bundle", dir])
        expectOneLineError(second, contains: "File \(dir)/config.json exists. Remove it first")
        #expect(try String(contentsOfFile: dir + "/config.json", encoding: .utf8) == text)
    }

    @Test("writes into the current directory without --bundle")
    func currentDirectory() throws {
        let dir = "/tmp/roost-it/spec-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runProgram(TestEnvironment.binary, ["spec"], cwd: dir)
        #expect(r.status == 0, "\(r)")
        #expect(FileManager.default.fileExists(atPath: dir + "/config.json"))
    }

    @Test("--rootless: a user namespace mapping the caller, no network namespace, /sys bound, no resources")
    func rootless() throws {
        let dir = "/tmp/roost-it/spec-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runProgram(TestEnvironment.binary, ["spec", "--rootless", "--bundle", dir])
        #expect(r.status == 0, "\(r)")
        let c = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))) as? [String: Any] ?? [:]
        let linux = c["linux"] as? [String: Any] ?? [:]
        let types = (linux["namespaces"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
        #expect(types.contains("user") && !types.contains("network"), "\(types)")
        let uid = (linux["uidMappings"] as? [[String: Any]])?.first
        #expect(uid?["hostID"] as? Int == Int(geteuid()) && uid?["containerID"] as? Int == 0 && uid?["size"] as? Int == 1)
        #expect(linux["resources"] == nil)
        let sys = (c["mounts"] as? [[String: Any]] ?? []).first { $0["destination"] as? String == "/sys" }
        #expect(sys?["type"] as? String == "none" && sys?["source"] as? String == "/sys", "\(String(describing: sys))")
        let options = (c["mounts"] as? [[String: Any]] ?? []).flatMap { $0["options"] as? [String] ?? [] }
        #expect(!options.contains { $0.hasPrefix("uid=") || $0.hasPrefix("gid=") })
    }

    @Test("the rootless variant runs (here as root, in a user namespace mapping root)")
    func rootlessRuns() throws {
        try withBundle { b in
            try FileManager.default.removeItem(atPath: b.path + "/config.json")
            let r0 = runProgram(TestEnvironment.binary, ["spec", "--rootless", "--bundle", b.path])
            #expect(r0.status == 0)
            b.config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: b.path + "/config.json"))) as? [String: Any] ?? [:]
            b.process["terminal"] = false
            b.shell("cat /proc/self/uid_map; id -u")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }) == ["0", "0", "1", "0"], "\(r)")
        }
    }
}

@Suite("keyring and file descriptors", needsContainers)
struct KeyringAndFDTests {
    @Test("a new session keyring named _ses.ID, unless --no-new-keyring")
    func keyring() throws {
        for noNew in [false, true] {
            try withBundle { b in
                var l = b.linux
                l["maskedPaths"] = (l["maskedPaths"] as? [String] ?? []).filter { $0 != "/proc/keys" }
                b.linux = l
                b.setArgs(["cat", "/proc/keys"])
                let r = try b.run(noNew ? ["--no-new-keyring"] : [])
                #expect(r.status == 0, "\(r)")
                #expect(r.stdout.contains("_ses.\(b.id)") == !noNew, "no-new-keyring=\(noNew): \(r)")
            }
        }
    }

    @Test("the caller's extra fds do not reach the process; --preserve-fds N passes 3..3+N-1")
    func preserveFDs() throws {
        try withBundle { b in
            try "three\n".write(toFile: b.path + "/f3", atomically: true, encoding: .utf8)
            try "four\n".write(toFile: b.path + "/f4", atomically: true, encoding: .utf8)
            b.shell("cat <&3; cat <&4; for fd in 5 6 7; do [ -e /proc/self/fd/$fd ] && echo leaked $fd; done; echo end")
            try b.writeConfig()
            let cmd = "cd \(b.path) && exec 3<f3 4<f4 5<f3 6</dev/null 7</ && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --preserve-fds 2 \(b.id)"
            let r = sh(cmd)
            #expect(r.stdout == "three\nfour\nend\n", "\(r)")
        }
        try withBundle { b in
            b.shell("for fd in 3 4 5; do [ -e /proc/self/fd/$fd ] && echo leaked $fd; done; echo end")
            try b.writeConfig()
            let r = sh("cd \(b.path) && exec 3</ 4</dev/null && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run \(b.id)")
            #expect(r.stdout == "end\n", "\(r)")
        }
    }
}

@Suite("socket activation and the exact fd set", needsContainers)
struct ListenFDTests {
    @Test("LISTEN_FDS naming roost's pid passes those fds first, then --preserve-fds; LISTEN_PID=1 inside")
    func socketActivation() throws {
        try withBundle { b in
            for (name, text) in [("f3", "three"), ("f4", "four"), ("f5", "five")] {
                try "\(text)\n".write(toFile: "\(b.path)/\(name)", atomically: true, encoding: .utf8)
            }
            b.shell("cat <&3; cat <&4; cat <&5; echo \"$LISTEN_FDS $LISTEN_PID\"; [ -e /proc/self/fd/6 ] && echo leaked 6; true")
            try b.writeConfig()
            let r = sh("cd \(b.path) && exec 3<f3 4<f4 5<f5 6</dev/null && export LISTEN_FDS=2 LISTEN_PID=$$ && exec \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --preserve-fds 1 \(b.id)")
            #expect(r.stdout == "three\nfour\nfive\n2 1\n", "\(r)")
        }
    }

    @Test("LISTEN_FDS for another pid is ignored")
    func otherPid() throws {
        try withBundle { b in
            b.shell("echo \"[$LISTEN_FDS]\"; [ -e /proc/self/fd/3 ] && echo leaked 3; true")
            try b.writeConfig()
            let r = sh("cd \(b.path) && exec 3</dev/null && export LISTEN_FDS=1 LISTEN_PID=1 && exec \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run \(b.id)")
            #expect(r.stdout == "[]\n", "\(r)")
        }
    }

    @Test("ls /proc/self/fd inside shows exactly stdio (plus ls's own directory)")
    func exactFDs() throws {
        try withBundle { b in
            b.setArgs(["ls", "/proc/self/fd"])
            try b.writeConfig()
            let r = sh("cd \(b.path) && exec 3</ 4</dev/null 9</ && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run \(b.id)")
            #expect(r.stdout.split(separator: "\n") == ["0", "1", "2", "3"], "\(r)")
            let p = sh("cd \(b.path) && exec 3</ 4</dev/null 9</ && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --preserve-fds 2 \(b.id)2")
            #expect(p.stdout.split(separator: "\n") == ["0", "1", "2", "3", "4", "5"], "\(p)")
            _ = b.roost(["delete", "--force", b.id + "2"])
        }
    }

    @Test("--preserve-fds naming a closed fd is refused, leaving nothing")
    func closedPreserved() throws {
        try withBundle { b in
            try b.writeConfig()
            let r = sh("cd \(b.path) && \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --preserve-fds 5 \(b.id)")
            expectOneLineError(r, contains: "--preserve-fds 5: fd 3 is not open")
        }
    }
}
