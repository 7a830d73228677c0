import Foundation
import RoostTestSupport
import Testing

/// SELinux as runc's go-selinux sees it: selinuxfs mounted and a policy loaded (this process's
/// context is not "kernel"; without SELinux reading it fails).
let seLinuxEnabled: Bool = {
    guard FileManager.default.fileExists(atPath: "/sys/fs/selinux/enforce"),
        let current = try? String(contentsOfFile: "/proc/self/attr/current", encoding: .utf8)
    else { return false }
    return withoutNUL(current) != "kernel"
}()

/// A context as /proc/PID/attr/current gives it: NUL-terminated, maybe with a newline.
func withoutNUL(_ s: String) -> String { s.replacingOccurrences(of: "\0", with: "").trimmingCharacters(in: .newlines) }

/// SELinux for real: the SELinux boot of the VM lane (make test-vm-selinux) loads Debian's
/// default policy (refpolicy, MCS) in permissive mode, so labels are checked for validity and
/// applied, not enforced. The contexts are ones that policy defines (svirt_t in system_r,
/// svirt_image_t; Debian's policy has no container_t).
@Suite("SELinux", needsContainers, .enabled(if: seLinuxEnabled, "no SELinux here (no policy loaded): runs in the VM lane's SELinux boot, make test-vm-selinux"))
struct SELinuxTests {
    static let label = "system_u:system_r:svirt_t:s0:c1,c2"
    static let other = "system_u:system_r:svirt_t:s0:c3,c4"
    static let mountLabel = "system_u:object_r:svirt_image_t:s0:c1,c2"

    @Test("process.selinuxLabel is the context of the container's process")
    func containerLabel() throws {
        try withBundle { b in
            b.process["selinuxLabel"] = Self.label
            b.setArgs(["cat", "/proc/self/attr/current"])
            let r = try b.run()
            #expect(r.status == 0 && withoutNUL(r.stdout) == Self.label, "\(r)")
        }
    }

    @Test("exec inherits the container's label; --process-label and process.json's selinuxLabel override it")
    func execLabel() throws {
        try withBundle { b in
            b.process["selinuxLabel"] = Self.label
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let inherited = b.roost(["exec", b.id, "cat", "/proc/self/attr/current"])
            #expect(withoutNUL(inherited.stdout) == Self.label, "\(inherited)")
            let flagged = b.roost(["exec", "--process-label", Self.other, b.id, "cat", "/proc/self/attr/current"])
            #expect(withoutNUL(flagged.stdout) == Self.other, "\(flagged)")
            var process: [String: Any] = ["args": ["cat", "/proc/self/attr/current"], "cwd": "/", "user": ["uid": 0, "gid": 0], "env": ["PATH=/bin"]]
            for (name, label, want) in [("own", Self.other as String?, Self.other), ("none", nil, Self.label)] {
                process["selinuxLabel"] = label
                let file = b.path + "/process-\(name).json"
                try JSONSerialization.data(withJSONObject: process).write(to: URL(fileURLWithPath: file))
                let r = b.roost(["exec", "--process", file, b.id])
                #expect(withoutNUL(r.stdout) == want, "process.json with \(label ?? "no label"): \(r)")
            }
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("the container's session keyring gets the process label")
    func keyringLabel() throws {
        let keyctl = try #require(["/usr/bin/keyctl", "/bin/keyctl"].first { FileManager.default.isExecutableFile(atPath: $0) }, "keyctl (keyutils) is needed")
        try withBundle { b in
            b.process["selinuxLabel"] = Self.label
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            // /proc/keys: "SERIAL(hex) flags usage timeout perm uid gid type description: ..."
            let keys = (try? String(contentsOfFile: "/proc/keys", encoding: .utf8)) ?? ""
            let line = keys.split(separator: "\n").first { $0.contains(" keyring ") && $0.contains("_ses.\(b.id):") }
            let serial = try #require(line.flatMap { UInt64($0.split(separator: " ")[0], radix: 16) }, "no keyring _ses.\(b.id) in /proc/keys:\n\(keys)")
            let r = runProgram(keyctl, ["security", String(serial)])
            #expect(withoutNUL(r.stdout) == Self.label, "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("linux.mountLabel is the context= of tmpfs, devpts and masked directories, mqueue's file label, not proc's or sysfs's")
    func mountLabel() throws {
        try withBundle { b in
            b.linux["mountLabel"] = Self.mountLabel
            var masked = b.linux["maskedPaths"] as? [String] ?? []
            if !masked.contains("/sys/firmware") { masked.append("/sys/firmware") }
            b.linux["maskedPaths"] = masked
            b.shell("cat /proc/self/mountinfo; sleep 60")
            try expectRun(b, ["-d"], status: 0)
            let pid = try #require(stateOf(b)?["pid"] as? Int)
            let mountinfo = try String(contentsOfFile: "/proc/\(pid)/mountinfo", encoding: .utf8)
            // The kernel shows a context with commas in quotes (so no splitting the options at commas).
            let option = ",context=\"\(Self.mountLabel)\""
            for point in ["/dev", "/dev/pts", "/dev/shm", "/sys/firmware"] {
                let line = try #require(mountLine(mountinfo, point), "no \(point) in\n\(mountinfo)")
                #expect(line.hasSuffix(option) || line.contains(option + ","), "\(point): \(line)")
            }
            for point in ["/proc", "/sys", "/dev/mqueue"] {
                let line = try #require(mountLine(mountinfo, point), "no \(point) in\n\(mountinfo)")
                #expect(!line.contains("context="), "\(point) has a context= option: \(line)")
            }
            // mqueue's root is labelled as a file (stat %C is the file's context).
            let r = runProgram("/usr/bin/stat", ["-c", "%C", "/proc/\(pid)/root/dev/mqueue"])
            #expect(r.stdout.trimmingCharacters(in: .newlines) == Self.mountLabel, "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("a label the policy does not know fails create with one line naming the field, leaving nothing behind")
    func invalidLabel() throws {
        try withBundle { b in
            b.process["selinuxLabel"] = "system_u:system_r:roost_no_such_t:s0"
            expectOneLineError(try b.run(), contains: "process.selinuxLabel")
        }
        try withBundle { b in
            b.linux["mountLabel"] = "system_u:object_r:roost_no_such_t:s0"
            expectOneLineError(try b.run(), contains: "with linux.mountLabel (tmpfs on /dev)")
        }
    }
}
