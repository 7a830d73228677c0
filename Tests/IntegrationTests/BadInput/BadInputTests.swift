import Foundation
import RoostTestSupport
import Testing

@Suite("bad input: one clear line, non-zero exit, nothing left behind", needsContainers)
struct BadInputTests {
    @Test("a missing bundle directory")
    func missingBundle() throws {
        try withBundle { b in
            let r = b.roost(["run", "--bundle", "/nonexistent/bundle", b.id])
            expectOneLineError(r, contains: "bundle /nonexistent/bundle: no such directory")
        }
    }

    @Test("a bundle without config.json")
    func missingConfig() throws {
        try withBundle { b in
            try FileManager.default.removeItem(atPath: b.path + "/config.json")
            let r = b.roost(["run", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "config.json: cannot read \(b.path)/config.json: No such file or directory")
        }
    }

    @Test("a missing rootfs")
    func missingRootfs() throws {
        try withBundle { b in
            try FileManager.default.removeItem(atPath: b.rootfs)
            let r = try b.run()
            expectOneLineError(r, contains: "config.json: root.path: rootfs \(b.rootfs) does not exist")
        }
    }

    @Test("invalid JSON names the line and column")
    func invalidJSON() throws {
        try withBundle { b in
            try "{\n  \"ociVersion\": \"1.3.0\",\n  \"process\": {\n".write(toFile: b.path + "/config.json", atomically: true, encoding: .utf8)
            let r = b.roost(["run", "--bundle", b.path, b.id])
            expectOneLineError(r, contains: "config.json:4:")
        }
    }

    @Test("an empty process.args names the JSON path")
    func emptyArgs() throws {
        try withBundle { b in
            b.setArgs([])
            let r = try b.run()
            expectOneLineError(r, contains: "config.json: process.args: must not be empty")
        }
    }

    @Test("a field of the wrong type names the JSON path")
    func wrongType() throws {
        try withBundle { b in
            var p = b.process
            var user = p["user"] as? [String: Any] ?? [:]
            user["uid"] = "zero"
            p["user"] = user
            b.process = p
            let r = try b.run()
            expectOneLineError(r, contains: "config.json: process.user.uid:")
        }
    }

    @Test("invalid container ids are refused", arguments: ["..", ".", "a/b", "a b", "x;y", ""])
    func invalidID(id: String) throws {
        try withBundle { b in
            try b.writeConfig()
            let r = b.roost(["run", "--bundle", b.path, id])
            expectOneLineError(r, contains: "invalid container id")
            #expect(!FileManager.default.fileExists(atPath: TestEnvironment.stateRoot + "/" + id) || id.isEmpty || id == "." || id == "..")
        }
    }

    @Test("a process that is not in the container's PATH")
    func notFound() throws {
        try withBundle { b in
            b.setArgs(["no-such-program"])
            let r = try b.run()
            expectOneLineError(r, contains: "exec \"no-such-program\": executable file not found in the container's PATH")
        }
    }

    @Test("a process that is not executable")
    func notExecutable() throws {
        try withBundle { b in
            try "#!/bin/sh\n".write(toFile: b.rootfs + "/notexec", atomically: true, encoding: .utf8)
            b.setArgs(["/notexec"])
            let r = try b.run()
            expectOneLineError(r, contains: "exec \"/notexec\": not an executable file")
        }
    }

    @Test("an id in use is refused and the running container is untouched")
    func idInUse() throws {
        try withBundle { b in
            b.shell("sleep 30")
            try b.writeConfig()
            let first = Process()
            first.executableURL = URL(fileURLWithPath: TestEnvironment.binary)
            first.arguments = ["--root", TestEnvironment.stateRoot, "run", "--bundle", b.path, b.id]
            try first.run()
            // Wait until its state directory exists.
            let dir = TestEnvironment.stateRoot + "/" + b.id + "/state.json"
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: dir) { usleep(20_000) }
            let second = b.roost(["run", "--bundle", b.path, b.id])
            expectOneLineError(second, contains: "container \"\(b.id)\" already exists")
            #expect(first.isRunning)
            // End the first container through its init (the pid in its state), as a user would.
            let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir))) as? [String: Any]
            let pid = try #require(state?["pid"] as? Int)
            kill(pid_t(pid), SIGKILL)
            first.waitUntilExit()
            #expect(first.terminationStatus == 137)
        }
    }
}

@Suite("config fields roost does not carry out yet are refused by path", needsContainers)
struct UnsupportedFieldTests {
    @Test("each is one line naming the JSON path, and nothing is left", arguments: [
        ("process", "scheduler", #"{"policy": "SCHED_OTHER"}"#, "process.scheduler"),
        ("process", "ioPriority", #"{"class": "IOPRIO_CLASS_BE", "priority": 4}"#, "process.ioPriority"),
        ("linux", "personality", #"{"domain": "LINUX32"}"#, "linux.personality"),
    ])
    func refused(section: String, key: String, value: String, path: String) throws {
        try withBundle { b in
            var s = b.config[section] as? [String: Any] ?? [:]
            s[key] = try JSONSerialization.jsonObject(with: Data(value.utf8))
            b.config[section] = s
            let r = try b.run()
            expectOneLineError(r, contains: "config.json: \(path): ")
        }
    }

    @Test("an AppArmor profile on a host without AppArmor is refused", .enabled(if: !appArmorEnabled, "host has AppArmor"))
    func appArmorProfile() throws {
        try withBundle { b in
            b.process["apparmorProfile"] = "docker-default"
            expectOneLineError(try b.run(), contains: "process.apparmorProfile: AppArmor profile \"docker-default\" is given, but AppArmor is not enabled on this host")
        }
    }

    /// runc refuses a process label where SELinux is off (and fails the first mount a mount
    /// label is given to); an empty label is no label.
    @Test("an SELinux label on a host without SELinux is refused by its field, for run and exec", .enabled(if: !seLinuxEnabled, "host has SELinux"))
    func seLinuxLabels() throws {
        let label = "system_u:system_r:svirt_t:s0"
        try withBundle { b in
            b.process["selinuxLabel"] = label
            expectOneLineError(try b.run(), contains: "config.json: process.selinuxLabel: SELinux label \"\(label)\" is given, but SELinux is disabled or not supported on this host")
        }
        try withBundle { b in
            b.linux["mountLabel"] = "system_u:object_r:svirt_image_t:s0"
            expectOneLineError(try b.run(), contains: "config.json: linux.mountLabel: SELinux mount label \"system_u:object_r:svirt_image_t:s0\" is given, but SELinux is disabled")
        }
        try withBundle { b in
            b.process["selinuxLabel"] = ""
            b.linux["mountLabel"] = ""
            b.setArgs(["true"])
            try expectRun(b, [], status: 0)
        }
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let flag = b.roost(["exec", "--process-label", label, b.id, "true"])
            expectOneLineError(flag, contains: "exec: --process-label \"\(label)\": SELinux is disabled or not supported on this host")
            #expect(flag.status == 255)
            let file = b.path + "/process.json"
            let process: [String: Any] = ["args": ["true"], "cwd": "/", "user": ["uid": 0, "gid": 0], "selinuxLabel": label]
            try JSONSerialization.data(withJSONObject: process).write(to: URL(fileURLWithPath: file))
            expectOneLineError(b.roost(["exec", "--process", file, b.id]), contains: "process.json: process.selinuxLabel: SELinux label \"\(label)\" is given, but SELinux is disabled")
            // Nothing of either exec is left: the container still has only its init.
            let pid = try #require(stateOf(b)?["pid"] as? Int)
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            #expect(children.trimmingCharacters(in: .whitespaces).isEmpty, "init has children: \(children)")
            #expect(b.roost(["exec", "--process-label", "", b.id, "true"]).status == 0)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}
