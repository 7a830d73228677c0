import Foundation
import RoostTestSupport
import Testing

let appArmorEnabled =
    FileManager.default.fileExists(atPath: "/sys/kernel/security/apparmor")
    && ((try? String(contentsOfFile: "/sys/module/apparmor/parameters/enabled", encoding: .utf8))?.hasPrefix("Y") ?? false)
let appArmorParser = ["/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// AppArmor for real: a profile loaded with Debian's apparmor_parser, applied at execve. Runs
/// where the kernel has AppArmor (the VM lane boots Debian's kernel; this machine's has none).
@Suite("AppArmor", needsContainers, .enabled(if: appArmorEnabled && appArmorParser != nil, "no AppArmor here (kernel without it, or no apparmor_parser): runs in the VM lane"))
struct AppArmorTests {
    /// Everything allowed but reading the container's /etc/passwd.
    static let profile = """
        profile roost-test flags=(attach_disconnected,mediate_deleted) {
          file,
          capability,
          network,
          mount,
          umount,
          pivot_root,
          signal,
          ptrace,
          unix,
          dbus,
          deny /etc/passwd r,
        }
        """

    init() throws {
        let file = NSTemporaryDirectory() + "roost-apparmor-profile"
        try Self.profile.write(toFile: file, atomically: true, encoding: .utf8)
        let r = runProgram(appArmorParser!, ["-r", file])
        #expect(r.status == 0, "apparmor_parser: \(r)")
    }

    @Test("process.apparmorProfile confines the container's process from its first instruction")
    func containerProfile() throws {
        try withBundle { b in
            b.process["apparmorProfile"] = "roost-test"
            b.shell("cat /proc/self/attr/current; cat /etc/passwd 2>&1 | grep -o 'Permission denied'")
            let r = try b.run()
            #expect(r.stdout == "roost-test (enforce)\nPermission denied\n", "\(r)")
        }
    }

    @Test("exec gets the container's profile unless --apparmor names another")
    func execProfile() throws {
        try withBundle { b in
            b.process["apparmorProfile"] = "roost-test"
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            #expect(b.roost(["exec", b.id, "cat", "/proc/self/attr/current"]).stdout == "roost-test (enforce)\n")
            #expect(b.roost(["exec", "--apparmor", "unconfined", b.id, "cat", "/proc/self/attr/current"]).stdout == "unconfined\n")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }
}
