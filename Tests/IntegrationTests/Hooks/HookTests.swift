import Foundation
import RoostTestSupport
import Testing

/// A hook running `/bin/sh -c SCRIPT` (the host's sh, or busybox's in the container).
func shellHook(_ script: String, timeout: Int? = nil) -> [String: Any] {
    var h: [String: Any] = ["path": "/bin/sh", "args": ["sh", "-c", script]]
    if let timeout { h["timeout"] = timeout }
    return h
}

@Suite("hooks", needsContainers)
struct HookTests {
    /// A bundle whose every hook kind records its stdin and a fact about where it ran.
    func recordingBundle(_ b: TestBundle) throws -> String {
        let out = b.path + "/hookout"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        b.mounts.append(["destination": "/hookout", "type": "bind", "source": out, "options": ["rbind", "rw"]])
        // In the runtime namespace the host's paths resolve; in the container only /hookout.
        let record = { (kind: String, dir: String) in
            shellHook("cat > \(dir)/\(kind).json; readlink /proc/self/ns/mnt > \(dir)/\(kind).mnt; pwd > \(dir)/\(kind).cwd")
        }
        b.config["hooks"] = [
            "prestart": [record("prestart", out)], "createRuntime": [record("createRuntime", out)],
            "createContainer": [record("createContainer", out)], "startContainer": [record("startContainer", "/hookout")],
            "poststart": [record("poststart", out)], "poststop": [record("poststop", out)],
        ]
        b.setArgs(["true"])
        return out
    }

    func read(_ dir: String, _ kind: String) -> [String: Any]? {
        guard let d = FileManager.default.contents(atPath: "\(dir)/\(kind).json") else { return nil }
        return try? JSONSerialization.jsonObject(with: d) as? [String: Any]
    }

    @Test("every hook kind runs, in its namespace, with the state on stdin")
    func allKinds() throws {
        try withBundle { b in
            let out = try recordingBundle(b)
            b.config["annotations"] = ["org.example.key": "value"]
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let hostMnt = hostNamespace("mnt")
            let expected: [(String, String, Bool)] = [
                ("prestart", "creating", true), ("createRuntime", "creating", true), ("createContainer", "creating", false),
                ("startContainer", "created", false), ("poststart", "running", true), ("poststop", "stopped", true),
            ]
            for (kind, status, runtimeNamespace) in expected {
                let s = read(out, kind)
                #expect(s?["id"] as? String == b.id, "\(kind): \(String(describing: s))")
                #expect(s?["status"] as? String == status, "\(kind)")
                #expect(s?["bundle"] as? String == b.path, "\(kind)")
                #expect(s?["ociVersion"] as? String == "1.3.0", "\(kind)")
                #expect((s?["annotations"] as? [String: String])?["org.example.key"] == "value", "\(kind)")
                let mnt = (try? String(contentsOfFile: "\(out)/\(kind).mnt", encoding: .utf8))?.trimmingCharacters(in: .newlines)
                #expect((mnt == hostMnt) == runtimeNamespace, "\(kind) ran in \(mnt ?? "?")")
                // The pid is as the hook's namespace sees it: the container's init is 1 inside.
                let pid = s?["pid"] as? Int ?? 0
                #expect(runtimeNamespace ? pid > 1 : pid == 1, "\(kind) pid \(pid)")
            }
            // runc runs createContainer hooks in the container's root, before pivot_root: a
            // relative path in them is the rootfs's.
            let cwd = (try? String(contentsOfFile: "\(out)/createContainer.cwd", encoding: .utf8))?.trimmingCharacters(in: .newlines)
            #expect(cwd == b.rootfs, "createContainer ran in \(cwd ?? "?")")
        }
    }

    @Test("hooks get exactly their args and env")
    func argsAndEnv() throws {
        try withBundle { b in
            let out = b.path + "/env.txt"
            b.config["hooks"] = ["createRuntime": [["path": "/bin/sh", "args": ["custom-argv0", "-c", "echo \"$0 $FOO\" > \(out); env | grep -c . >> \(out)"], "env": ["FOO=bar"]]]]
            b.setArgs(["true"])
            try expectRun(b, [], status: 0)
            let text = try String(contentsOfFile: out, encoding: .utf8)
            // sh adds PWD (and SHLVL) itself; roost passes FOO only.
            #expect(text.hasPrefix("custom-argv0 bar\n"), "\(text)")
        }
    }

    @Test("a failing create-time hook fails create with one line, runs poststop, leaves nothing", arguments: ["prestart", "createRuntime", "createContainer"])
    func failingCreateHook(kind: String) throws {
        try withBundle { b in
            let marker = b.path + "/poststop-ran"
            b.config["hooks"] = [kind: [shellHook("echo broken >&2; exit 4")], "poststop": [shellHook("touch \(marker)")]]
            try b.writeConfig()
            let r = b.roost(["create", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "error running \(kind) hook #0: hooks.\(kind)[0] /bin/sh: exited with status 4 (output: broken)")
            #expect(FileManager.default.fileExists(atPath: marker), "poststop must run after a failed create")
        }
    }

    @Test("a failing startContainer or poststart hook fails start and stops the container", arguments: ["startContainer", "poststart"])
    func failingStartHook(kind: String) throws {
        try withBundle { b in
            b.config["hooks"] = [kind: [shellHook("exit 5")]]
            b.setArgs(["sleep", "30"])
            try b.writeConfig()
            #expect(b.roost(["create", "--bundle", b.path, b.id]).status == 0)
            expectOneLineError(b.roost(["start", b.id]), contains: "hooks.\(kind)[0] /bin/sh: exited with status 5")
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("a hook past its timeout is killed and fails the operation")
    func timeout() throws {
        try withBundle { b in
            b.config["hooks"] = ["createRuntime": [shellHook("sleep 30", timeout: 1)]]
            try b.writeConfig()
            let started = Date()
            let r = b.roost(["create", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "hooks.createRuntime[0] /bin/sh: timed out after 1s")
            #expect(Date().timeIntervalSince(started) < 20)
        }
    }

    @Test("a failing poststop hook is a warning: delete still succeeds and the rest run")
    func failingPoststop() throws {
        try withBundle { b in
            let marker = b.path + "/second-ran"
            b.config["hooks"] = ["poststop": [shellHook("exit 6"), shellHook("touch \(marker)")]]
            b.setArgs(["true"])
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stderr.contains("warning") && r.stderr.contains("hooks.poststop[0]"), "\(r)")
            #expect(FileManager.default.fileExists(atPath: marker))
        }
    }

    @Test("poststart and poststop hooks come from create time, not from a later config.json")
    func hooksFixedAtCreate() throws {
        try withBundle { b in
            let marker = b.path + "/poststop-ran"
            b.config["hooks"] = ["poststop": [shellHook("touch \(marker)")]]
            try b.writeConfig()
            #expect(b.roost(["create", "--bundle", b.path, b.id]).status == 0)
            b.config.removeValue(forKey: "hooks")
            try b.writeConfig()
            #expect(b.roost(["delete", b.id]).status == 0)
            #expect(FileManager.default.fileExists(atPath: marker))
        }
    }
}
