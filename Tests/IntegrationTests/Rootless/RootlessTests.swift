import Foundation
import RoostTestSupport
import Testing

/// roost run by an unprivileged user (nobody, through util-linux's setpriv) on the config
/// `roost spec --rootless` writes for that user: a user namespace mapping it to root.
@Suite("rootless", needsContainers)
struct RootlessTests {
    static let nobody = "65534"

    func asNobody(_ b: TestBundle, _ args: [String]) -> RoostResult {
        runProgram("/usr/bin/setpriv", ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", TestEnvironment.binary, "--root", b.path + "/state"] + args,
            cwd: b.path)
    }

    /// The bundle with the rootless starter config, written for nobody, owned by nobody.
    func rootlessBundle(_ b: TestBundle, args: [String]) throws {
        let dir = b.path + "/spec"
        #expect(sh("mkdir -p \(dir) && chown \(Self.nobody):\(Self.nobody) \(dir)").status == 0)
        let spec = runProgram("/usr/bin/setpriv", ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", TestEnvironment.binary, "spec", "--rootless", "--bundle", dir])
        #expect(spec.status == 0, "\(spec)")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/config.json"))
        b.config = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var p = b.process
        p["terminal"] = false
        p["args"] = args
        b.process = p
        try b.writeConfig()
        #expect(sh("chown -R \(Self.nobody):\(Self.nobody) \(b.path)").status == 0)
    }

    @Test("an unprivileged user runs a container: root inside, its own uid outside, no cgroup made")
    func run() throws {
        try withBundle { b in
            try rootlessBundle(b, args: ["sh", "-c", "id -u; cat /proc/self/uid_map /proc/self/gid_map; echo done"])
            let r = asNobody(b, ["run", b.id])
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            #expect(lines == ["0", "0 \(Self.nobody) 1", "0 \(Self.nobody) 1", "done"], "\(r)")
            #expect(!FileManager.default.fileExists(atPath: b.path + "/state/" + b.id), "run removes its state")
        }
    }

    @Test("without --root an unprivileged user's state goes to $XDG_RUNTIME_DIR/roost (as runc's)")
    func xdgRoot() throws {
        try withBundle { b in
            try rootlessBundle(b, args: ["sleep", "60"])
            let xdg = b.path + "/xdg"
            #expect(sh("mkdir \(xdg) && chown \(Self.nobody) \(xdg)").status == 0)
            func roost(_ args: [String]) -> RoostResult {
                runProgram("/usr/bin/setpriv", ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", TestEnvironment.binary] + args,
                    cwd: b.path, environment: ["XDG_RUNTIME_DIR": xdg, "PATH": "/usr/bin:/bin"])
            }
            #expect(roost(["run", "-d", b.id]).status == 0)
            #expect(FileManager.default.fileExists(atPath: xdg + "/roost/" + b.id + "/state.json"))
            #expect(roost(["delete", "--force", b.id]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: xdg + "/roost/" + b.id))
        }
    }

    @Test("create, exec, kill and delete work for the unprivileged user too")
    func lifecycle() throws {
        try withBundle { b in
            try rootlessBundle(b, args: ["sleep", "60"])
            #expect(asNobody(b, ["run", "-d", b.id]).status == 0)
            let e = asNobody(b, ["exec", b.id, "id", "-u"])
            #expect(e.status == 0 && e.stdout == "0\n", "\(e)")
            #expect(asNobody(b, ["kill", b.id, "KILL"]).status == 0)
            #expect(eventually { asNobody(b, ["state", b.id]).stdout.contains("\"stopped\"") })
            #expect(asNobody(b, ["delete", b.id]).status == 0)
        }
    }
}
