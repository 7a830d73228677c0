import Foundation
import RoostTestSupport
import Testing

/// `--systemd-cgroup` where systemd is PID 1 (the systemd VM lane, make test-vm-systemd): the
/// container's cgroup is a transient scope systemd makes over D-Bus, and delete stops it.
@Suite("systemd cgroup driver", needsContainers,
       .enabled(if: FileManager.default.fileExists(atPath: "/run/systemd/system") && TestEnvironment.isCgroup2Only,
                "systemd is not PID 1 on a cgroup2 host here (make test-vm-systemd runs this)"))
struct SystemdCgroupTests {
    func roost(_ args: [String]) -> RoostResult {
        runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--systemd-cgroup"] + args)
    }

    func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// A unit property as systemd reports it (`systemctl show -p NAME --value`).
    func property(_ unit: String, _ name: String) -> String {
        let r = runProgram("/bin/systemctl", ["show", "-p", name, "--value", unit])
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("slice:prefix:name makes prefix-name.scope in the slice, with its limits; delete stops it")
    func scope() throws {
        try withBundle { b in
            var l = b.linux
            l["cgroupsPath"] = "system.slice:roost:\(b.id)"
            l["resources"] = ["memory": ["limit": 64 << 20], "pids": ["limit": 20]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            let c = roost(["create", "--bundle", b.path, b.id])
            #expect(c.status == 0, "\(c)")
            let dir = "/sys/fs/cgroup/system.slice/roost-\(b.id).scope"
            let procs = text(dir + "/cgroup.procs") ?? ""
            #expect(procs.split(separator: "\n").count == 1, "only the init, which systemd moved in: \(procs)")
            #expect(text(dir + "/memory.max") == "67108864\n")
            #expect(text(dir + "/pids.max") == "20\n")
            let own = text("/proc/self/cgroup") ?? ""
            #expect(!own.contains("roost-\(b.id).scope"))
            #expect(roost(["start", b.id]).status == 0)
            let d = roost(["delete", "--force", b.id])
            #expect(d.status == 0, "\(d)")
            #expect(!FileManager.default.fileExists(atPath: dir), "StopUnit removed the scope")
        }
    }

    @Test("the scope holds only init: pids.limit 1 is enough to create and run it")
    func onlyInitCounts() throws {
        try withBundle { b in
            var l = b.linux
            l["cgroupsPath"] = "system.slice:roost:\(b.id)"
            l["resources"] = ["pids": ["limit": 1]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            let c = roost(["create", "--bundle", b.path, b.id])
            #expect(c.status == 0, "\(c)")
            let dir = "/sys/fs/cgroup/system.slice/roost-\(b.id).scope"
            #expect(text(dir + "/pids.max") == "1\n")
            #expect(text(dir + "/pids.current") == "1\n")
            #expect(property("roost-\(b.id).scope", "TasksMax") == "1")
            #expect(roost(["start", b.id]).status == 0)
            #expect(roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("an empty cgroupsPath is runc-<id>.scope in system.slice, as runc")
    func defaultName() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try b.writeConfig()
            let c = roost(["create", "--bundle", b.path, b.id])
            #expect(c.status == 0, "\(c)")
            #expect(FileManager.default.fileExists(atPath: "/sys/fs/cgroup/system.slice/runc-\(b.id).scope"))
            #expect(roost(["delete", "--force", b.id]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/system.slice/runc-\(b.id).scope"))
        }
    }

    @Test("a cgroupsPath that is not slice:prefix:name is refused by its JSON path")
    func badPath() throws {
        try withBundle { b in
            var l = b.linux
            l["cgroupsPath"] = "/not/systemd"
            b.linux = l
            try b.writeConfig()
            expectOneLineError(roost(["create", "--bundle", b.path, b.id]), contains: "slice:prefix:name")
        }
    }
}
