import Foundation
import RoostTestSupport
import Testing

/// Attacks through the container's own filesystem on what init does in it (docs/SECURITY.md,
/// "Paths"): a /dev/null that is not the null device, mounts over /proc, a mount that would take
/// a sysctl write, a /dev/console that is a symlink. Each fails without its defence.
@Suite("the rootfs against init: /dev/null, /proc, sysctls, /dev/console", needsContainers)
struct RootfsAttackTests {
    /// /dev from a directory of the bundle (a bind at /dev: roost makes no nodes), holding
    /// what the test puts there.
    static func devFromBundle(_ b: TestBundle) throws -> String {
        let dev = b.path + "/dev"
        try FileManager.default.createDirectory(atPath: dev, withIntermediateDirectories: true)
        b.mounts = b.mounts.filter { $0["destination"] as? String != "/dev" }
        b.mounts.insert(["destination": "/dev", "type": "bind", "source": dev, "options": ["rbind", "rw"]], at: 1)
        return dev
    }

    @Test("maskedPaths: a /dev/null that is a symlink to a procfs file is refused, never bound over a masked path (CVE-2025-31133)")
    func devNullSymlink() throws {
        try withBundle { b in
            let dev = try Self.devFromBundle(b)
            // The attack: /dev/null -> core_pattern, so masking /proc/kcore would bind the host's
            // core_pattern there, writable from the container.
            try FileManager.default.createSymbolicLink(atPath: dev + "/null", withDestinationPath: "/proc/sys/kernel/core_pattern")
            b.shell("cat /proc/kcore; echo END")
            let r = try b.run()
            let pattern = (try? String(contentsOfFile: "/proc/sys/kernel/core_pattern", encoding: .utf8)) ?? "?"
            #expect(!r.stdout.contains(pattern.trimmingCharacters(in: .whitespacesAndNewlines)) || r.stdout.isEmpty, "core_pattern bound over /proc/kcore: \(r)")
            expectOneLineError(r, contains: "can't mask paths: container's /dev/null is invalid")
        }
    }

    @Test("mounts on /proc: only a procfs on /proc, only lxcfs's files below it, never through a symlink (CVE-2019-16884)", arguments: [
        ("bind-sys", "\"/proc/sys\" cannot be mounted because it is inside /proc"),
        ("bind-self-attr", "\"/proc/self/attr\" cannot be mounted because it is inside /proc"),
        ("tmpfs-proc", "\"/proc\" cannot be mounted because it is not of type proc"),
        ("proc-symlink", "filesystem \"/proc\" must be mounted on ordinary directory"),
    ])
    func procMounts(kind: String, message: String) throws {
        try withBundle { b in
            let fake = b.path + "/fake"
            try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
            switch kind {
            case "bind-sys": b.mounts.append(["destination": "/proc/sys", "type": "bind", "source": fake, "options": ["bind"]])
            case "bind-self-attr": b.mounts.append(["destination": "/proc/self/attr", "type": "bind", "source": fake, "options": ["bind"]])
            case "tmpfs-proc":
                b.mounts = b.mounts.map { $0["destination"] as? String == "/proc" ? ["destination": "/proc", "type": "tmpfs", "source": "tmpfs"] : $0 }
            default:
                try FileManager.default.removeItem(atPath: b.rootfs + "/proc")
                try FileManager.default.createDirectory(atPath: b.rootfs + "/fakeproc", withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: b.rootfs + "/proc", withDestinationPath: "/fakeproc")
            }
            b.setArgs(["true"])
            let r = try b.run()
            expectOneLineError(r, contains: message)
        }
    }

    @Test("a bind over one of lxcfs's /proc files is allowed, as with runc")
    func lxcfsFile() throws {
        try withBundle { b in
            try "42.00 42.00\n".write(toFile: b.path + "/uptime", atomically: true, encoding: .utf8)
            b.mounts.append(["destination": "/proc/uptime", "type": "bind", "source": b.path + "/uptime", "options": ["bind", "ro"]])
            b.setArgs(["cat", "/proc/uptime"])
            let r = try b.run()
            #expect(r.status == 0 && r.stdout == "42.00 42.00\n", "\(r)")
        }
    }

    @Test("a sysctl is written through a verified procfs: a mount over its file makes it fail, not land in the mounted file (CVE-2025-52881)")
    func sysctlOvermount() throws {
        try withBundle { b in
            // A createContainer hook (in the container's mount namespace, after the mounts) puts
            // a host file over the sysctl's: a mount checkProcMount never saw.
            let host = b.path + "/ip_forward"
            try "untouched\n".write(toFile: host, atomically: true, encoding: .utf8)
            b.config["hooks"] = ["createContainer": [["path": "/bin/sh", "args": ["sh", "-c", "mount --bind \(host) \(b.rootfs)/proc/sys/net/ipv4/ip_forward"]]]]
            var linux = b.linux
            linux["sysctl"] = ["net.ipv4.ip_forward": "1"]
            b.linux = linux
            b.setArgs(["true"])
            let r = try b.run()
            expectOneLineError(r, contains: "linux.sysctl: net.ipv4.ip_forward: open /proc/sys/net/ipv4/ip_forward (unsafe procfs: another mount covers it)")
            #expect(try String(contentsOfFile: host, encoding: .utf8) == "untouched\n", "the sysctl's value landed in the mounted file")
        }
    }

    @Test("process.terminal: a /dev/console that is a symlink is refused, the pty never bound onto its target (CVE-2025-52565)")
    func consoleSymlink() throws {
        try withBundle { b in
            let dev = try Self.devFromBundle(b)
            // A file of the bundle's /dev (on the host), reached through the container's /dev.
            let target = dev + "/console-target"
            try "host file\n".write(toFile: target, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: dev + "/console", withDestinationPath: "console-target")
            var p = b.process
            p["terminal"] = true
            b.process = p
            b.setArgs(["true"])
            try b.writeConfig()
            let receiver = try FDReceiver(path: b.path + "/console.sock")
            let r = b.roost(["create", "--console-socket", receiver.path, "--bundle", b.path, b.id])
            // Refused at the symlink: the pty is never bound onto what it points to.
            expectOneLineError(r, contains: "process.terminal: create /dev/console: Too many levels of symbolic links")
        }
    }
}
