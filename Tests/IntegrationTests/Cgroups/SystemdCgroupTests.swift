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

    /// A `sleep 60` container in `system.slice:roost:ID` (unit `roost-ID.scope`) with these resources.
    func configureScope(_ b: TestBundle, resources: [String: Any], annotations: [String: String]? = nil) throws {
        var l = b.linux
        l["cgroupsPath"] = "system.slice:roost:\(b.id)"
        l["resources"] = resources
        b.linux = l
        if let annotations { b.config["annotations"] = annotations }
        b.setArgs(["sleep", "60"])
        try b.writeConfig()
    }

    @Test("slice:prefix:name makes prefix-name.scope in the slice, with its limits; delete stops it")
    func scope() throws {
        try withBundle { b in
            try configureScope(b, resources: ["memory": ["limit": 64 << 20], "pids": ["limit": 20]])
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
            try configureScope(b, resources: ["pids": ["limit": 1]])
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

    @Test("update sets the unit's properties (runtime) and the cgroup files")
    func update() throws {
        try withBundle { b in
            try configureScope(b, resources: ["memory": ["limit": 64 << 20]])
            #expect(roost(["create", "--bundle", b.path, b.id]).status == 0)
            let unit = "roost-\(b.id).scope"
            let dir = "/sys/fs/cgroup/system.slice/" + unit
            #expect(property(unit, "MemoryMax") == "\(64 << 20)")
            let u = roost(["update", "--memory", "96m", "--pids-limit", "42", "--cpu-quota", "20000", "--cpu-period", "100000", b.id])
            #expect(u.status == 0, "\(u)")
            #expect(text(dir + "/memory.max") == "\(96 << 20)\n")
            #expect(text(dir + "/pids.max") == "42\n")
            #expect(text(dir + "/cpu.max") == "20000 100000\n")
            #expect(property(unit, "MemoryMax") == "\(96 << 20)")
            #expect(property(unit, "TasksMax") == "42")
            #expect(property(unit, "CPUQuotaPerSecUSec") == "200ms")
            // runtime=true: in /run, not /etc.
            #expect(FileManager.default.fileExists(atPath: "/run/systemd/transient/\(unit)") || FileManager.default.fileExists(atPath: "/run/systemd/system.control/\(unit).d"))
            #expect(!FileManager.default.fileExists(atPath: "/etc/systemd/system.control/\(unit).d"))
            #expect(roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("device rules and org.systemd.property.* annotations become unit properties")
    func devicesAndAnnotations() throws {
        try withBundle { b in
            try configureScope(b, resources: ["devices": [["allow": false, "access": "rwm"], ["allow": true, "type": "b", "major": 7, "access": "r"]]], annotations: ["org.systemd.property.TimeoutStopSec": "7", "org.systemd.property.CollectMode": "'inactive-or-failed'"])
            let c = roost(["create", "--bundle", b.path, b.id])
            #expect(c.status == 0, "\(c)")
            let unit = "roost-\(b.id).scope"
            #expect(property(unit, "DevicePolicy") == "strict")
            let allow = property(unit, "DeviceAllow")
            for entry in ["/dev/char/1:3 rwm", "block-7 r", "char-136 rwm", "char-* m"] {
                #expect(allow.contains(entry), "DeviceAllow \(allow) lacks \(entry)")
            }
            #expect(property(unit, "TimeoutStopUSec") == "7s")
            #expect(property(unit, "CollectMode") == "inactive-or-failed")
            // roost's own device program still decides: /dev/null works, a denied node does not.
            #expect(roost(["start", b.id]).status == 0)
            let ok = roost(["exec", b.id, "sh", "-c", "echo x > /dev/null"])
            #expect(ok.status == 0, "\(ok)")
            #expect(roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("a bad org.systemd.property annotation: one line naming it, no unit, no state")
    func badAnnotation() throws {
        try withBundle { b in
            b.config["annotations"] = ["org.systemd.property.TimeoutStopSec": "'soon'"]
            try b.writeConfig()
            expectOneLineError(roost(["create", "--bundle", b.path, b.id]), contains: "annotations[\"org.systemd.property.TimeoutStopSec\"]")
            #expect(property("runc-\(b.id).scope", "LoadState") == "not-found")
            b.config["annotations"] = ["org.systemd.property.Bad1": "1"]
            try b.writeConfig()
            expectOneLineError(roost(["create", "--bundle", b.path, b.id]), contains: "not a systemd property name")
        }
    }

    @Test("a scope systemd refuses: one line, init killed, no unit, no state")
    func refusedScope() throws {
        try withBundle { b in
            // systemd refuses an unknown property; the clone happened, so this checks the rollback.
            b.config["annotations"] = ["org.systemd.property.NoSuchPropertyAtAll": "1"]
            b.setArgs(["sleep", "60"])
            try b.writeConfig()
            let r = roost(["create", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "runc-\(b.id).scope")
            #expect(property("runc-\(b.id).scope", "LoadState") == "not-found")
            #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/system.slice/runc-\(b.id).scope"))
        }
    }

    @Test("a scope name another container's unit has: one line, and that container keeps its scope")
    func unitExists() throws {
        try withBundle("a") { a in
            try configureScope(a, resources: ["pids": ["limit": 5]])
            #expect(roost(["create", "--bundle", a.path, a.id]).status == 0)
            let unit = "roost-\(a.id).scope"
            try withBundle("b") { b in
                try configureScope(b, resources: ["pids": ["limit": 5]])
                var l = b.linux
                l["cgroupsPath"] = "system.slice:roost:\(a.id)"
                b.linux = l
                try b.writeConfig()
                expectOneLineError(roost(["create", "--bundle", b.path, b.id]), contains: unit)
                #expect(!FileManager.default.fileExists(atPath: TestEnvironment.stateRoot + "/" + b.id))
            }
            // The failed create neither stopped the unit nor killed what is in it.
            #expect(property(unit, "ActiveState") == "active")
            #expect(text("/sys/fs/cgroup/system.slice/\(unit)/pids.current") == "1\n")
            #expect(stateOf(a)?["status"] as? String == "created")
            #expect(roost(["delete", "--force", a.id]).status == 0)
            #expect(property(unit, "LoadState") == "not-found")
        }
    }

    @Test("--systemd-cgroup without root: one clear line, nothing made")
    func rootless() throws {
        try withBundle { b in
            let nobody = "65534"
            let dir = b.path + "/spec"
            #expect(sh("mkdir -p \(dir) && chown \(nobody):\(nobody) \(dir) && cp -a \(b.rootfs) \(dir)/rootfs").status == 0)
            let asNobody = ["--reuid=\(nobody)", "--regid=\(nobody)", "--clear-groups", TestEnvironment.binary]
            #expect(runProgram("/usr/bin/setpriv", asNobody + ["spec", "--rootless", "--bundle", dir]).status == 0)
            #expect(sh("sed -i 's/\"terminal\": true/\"terminal\": false/' \(dir)/config.json && chown -R \(nobody):\(nobody) \(b.path)").status == 0)
            let r = runProgram("/usr/bin/setpriv", asNobody + ["--root", b.path + "/state", "--systemd-cgroup", "create", "--bundle", dir, b.id])
            expectOneLineError(r, contains: "--systemd-cgroup: not supported without root")
            #expect(!FileManager.default.fileExists(atPath: b.path + "/state/" + b.id))
            #expect(property("runc-\(b.id).scope", "LoadState") == "not-found")
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
