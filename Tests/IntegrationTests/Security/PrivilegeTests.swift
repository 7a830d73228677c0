import Foundation
import RoostTestSupport
import Testing

/// Ways a config, a process.json or an exec flag could hand a container's process more than
/// the container has (docs/SECURITY.md, "Privileges"), and files that would make roost allocate
/// without end. Each attack is tried for real; each test fails without its defence.
@Suite("privileges: capabilities, ids and the files roost reads", needsContainers)
struct PrivilegeTests {
    /// CapEff, CapPrm and CapBnd of the default spec's process: AUDIT_WRITE, KILL, NET_BIND_SERVICE.
    static let defaultCaps = "0000000020000420"

    @Test("exec -p with a process.json without capabilities gets the container's, not roost's")
    func execProcessWithoutCapabilities() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let process: [String: Any] = [
                "args": ["sh", "-c", "grep -E '^Cap(Eff|Prm|Bnd)|^NoNewPrivs' /proc/self/status; mount -t tmpfs none /tmp && echo MOUNTED"],
                "cwd": "/", "env": ["PATH=/bin"], "user": ["uid": 0, "gid": 0],
            ]
            let file = b.path + "/process.json"
            try JSONSerialization.data(withJSONObject: process).write(to: URL(fileURLWithPath: file))
            let r = b.roost(["exec", "-p", file, b.id])
            #expect(statusField(r.stdout, "CapEff") == Self.defaultCaps, "\(r)")
            #expect(statusField(r.stdout, "CapPrm") == Self.defaultCaps, "\(r)")
            #expect(statusField(r.stdout, "CapBnd") == Self.defaultCaps, "\(r)")
            // The default spec's noNewPrivileges, which process.json leaves out, holds too.
            #expect(statusField(r.stdout, "NoNewPrivs") == "1", "\(r)")
            #expect(!r.stdout.contains("MOUNTED"), "the exec'd process could mount: \(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("uid or gid 4294967295 ((uid_t)-1, 'leave unchanged') is refused: config.json", arguments: [
        (#"{"uid": 4294967295, "gid": 0}"#, "process.user.uid: cannot setuid to unmapped uid 4294967295"),
        (#"{"uid": 0, "gid": 4294967295}"#, "process.user.gid: cannot setgid to unmapped gid 4294967295"),
        (#"{"uid": 1000, "gid": 1000, "additionalGids": [4294967295]}"#, "process.user.additionalGids[0]: cannot setgroups with unmapped gid 4294967295"),
    ])
    func minusOneInConfig(user: String, message: String) throws {
        try withBundle { b in
            var p = b.process
            p["user"] = try JSONSerialization.jsonObject(with: Data(user.utf8))
            b.process = p
            b.setArgs(["id"])
            let r = try b.run()
            expectOneLineError(r, contains: "config.json: " + message)
            #expect(r.stdout.isEmpty, "the process ran: \(r)")
        }
    }

    @Test("uid or gid 4294967295 is refused: exec -u, --additional-gids and process.json")
    func minusOneInExec() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            for (flags, message) in [
                (["-u", "4294967295:0"], "--user: cannot setuid to unmapped uid 4294967295"),
                (["-u", "4294967295"], "--user: cannot setuid to unmapped uid 4294967295"),
                (["-u", "1000:4294967295"], "--user: cannot setgid to unmapped gid 4294967295"),
                (["--additional-gids", "4294967295"], "--additional-gids: cannot setgroups with unmapped gid 4294967295"),
            ] {
                let r = b.roost(["exec"] + flags + [b.id, "id"])
                expectOneLineError(r, contains: message)
                #expect(r.stdout.isEmpty, "\(flags): the process ran: \(r)")
            }
            let file = b.path + "/process.json"
            let process: [String: Any] = ["args": ["id"], "cwd": "/", "user": ["uid": 4294967295, "gid": 4294967295]]
            try JSONSerialization.data(withJSONObject: process).write(to: URL(fileURLWithPath: file))
            let r = b.roost(["exec", "-p", file, b.id])
            expectOneLineError(r, contains: "\(file): process.user.uid: cannot setuid to unmapped uid 4294967295")
            #expect(r.stdout.isEmpty, "the process ran: \(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("capability names are exact: sys_admin, SYS_ADMIN and cap_sys_admin grant nothing and are warned about, in config.json and exec --cap")
    func looseCapabilityNames() throws {
        try withBundle { b in
            let loose = ["sys_admin", "SYS_ADMIN", "cap_sys_admin", "CAP_UNKNOWN"]
            var p = b.process
            var caps = p["capabilities"] as? [String: Any] ?? [:]
            for set in ["bounding", "effective", "permitted"] { caps[set] = (caps[set] as? [String] ?? []) + loose }
            p["capabilities"] = caps
            b.process = p
            b.shell("grep -E '^CapEff' /proc/self/status; mount -t tmpfs none /tmp && echo MOUNTED; true")
            let r = try b.run()
            #expect(r.status == 0, "runc runs the container all the same: \(r)")
            #expect(statusField(r.stdout, "CapEff") == Self.defaultCaps, "\(r)")
            #expect(!r.stdout.contains("MOUNTED"), "\(r)")
            #expect(r.stderr.contains("ignoring unknown or unavailable capabilities: [CAP_UNKNOWN SYS_ADMIN cap_sys_admin sys_admin]"), "\(r)")

            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let e = b.roost(["exec", "--cap", "sys_admin", "--cap", "cap_sys_admin", b.id, "sh", "-c", "grep -E '^CapEff' /proc/self/status; mount -t tmpfs none /tmp && echo MOUNTED"])
            #expect(e.status != 0 || !e.stdout.contains("MOUNTED"), "\(e)")
            #expect(statusField(e.stdout, "CapEff") == Self.defaultCaps, "\(e)")
            // The container's own names and --cap's, as runc, which adds --cap to the config's sets.
            #expect(e.stderr.contains("ignoring unknown or unavailable capabilities: [CAP_UNKNOWN SYS_ADMIN cap_sys_admin sys_admin]"), "\(e)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("an ambient capability that is not inheritable is left out with runc's warning, not granted")
    func ambientNotInheritable() throws {
        try withBundle { b in
            var p = b.process
            p["capabilities"] = [
                "bounding": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_CHOWN", "CAP_KILL"], "permitted": ["CAP_CHOWN", "CAP_KILL"],
                "inheritable": ["CAP_KILL"], "ambient": ["CAP_CHOWN", "CAP_KILL"],
            ]
            p["user"] = ["uid": 1000, "gid": 1000]
            b.process = p
            b.setArgs(["grep", "^CapAmb", "/proc/self/status"])
            let r = try b.run()
            #expect(r.status == 0 && statusField(r.stdout, "CapAmb") == "0000000000000020", "\(r)")
            #expect(r.stderr.contains("can't raise ambient capability CAP_CHOWN: operation not permitted"), "\(r)")
            #expect(!r.stderr.contains("CAP_KILL"), "\(r)")
        }
    }

    @Test("a config.json or process.json that never ends (/dev/zero) or is too large: one line, exit 1, nothing left")
    func endlessFiles() throws {
        try withBundle { b in
            try FileManager.default.removeItem(atPath: b.path + "/config.json")
            try FileManager.default.createSymbolicLink(atPath: b.path + "/config.json", withDestinationPath: "/dev/zero")
            let zero = b.roost(["run", "--bundle", b.path, b.id])
            expectOneLineError(zero, contains: "config.json: cannot read \(b.path)/config.json: File too large (roost reads at most 16 MiB)")
            #expect(zero.status == 1, "\(zero)")

            try FileManager.default.removeItem(atPath: b.path + "/config.json")
            let big = open(b.path + "/config.json", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            #expect(ftruncate(big, (16 << 20) + 1) == 0)
            close(big)
            let large = b.roost(["run", "--bundle", b.path, b.id])
            expectOneLineError(large, contains: "config.json: cannot read \(b.path)/config.json: File too large (roost reads at most 16 MiB)")
            #expect(large.status == 1, "\(large)")

            try FileManager.default.removeItem(atPath: b.path + "/config.json")
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let e = b.roost(["exec", "-p", "/dev/zero", b.id])
            expectOneLineError(e, contains: "--process: cannot read /dev/zero: File too large (roost reads at most 16 MiB)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("a container's /etc/passwd that never ends does not hold up its process (HOME is looked up in it)")
    func endlessPasswd() throws {
        try withBundle { b in
            try FileManager.default.removeItem(atPath: b.rootfs + "/etc/passwd")
            try FileManager.default.createSymbolicLink(atPath: b.rootfs + "/etc/passwd", withDestinationPath: "/dev/zero")
            var p = b.process
            p["env"] = ["PATH=/bin"]
            b.process = p
            b.shell("echo HOME=$HOME")
            let r = try b.run()
            #expect(r.status == 0 && r.stdout == "HOME=/\n", "\(r)")
        }
    }
}
