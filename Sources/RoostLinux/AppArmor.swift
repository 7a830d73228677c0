import Glibc

/// AppArmor's side of process start: a profile the next execve switches to.
public enum AppArmor {
    /// runc's test: securityfs shows apparmor and the module says it is enabled.
    public static var isEnabled: Bool {
        guard FileIO.exists("/sys/kernel/security/apparmor") else { return false }
        return (try? FileIO.read("/sys/module/apparmor/parameters/enabled"))?.first == UInt8(ascii: "Y")
    }

    /// Asks for `profile` at the next execve ("exec NAME" to the thread's exec attribute, the
    /// apparmor-specific file where the kernel has one), as runc's changeOnExec.
    public static func changeOnExec(_ profile: String) throws(SyscallError) {
        // Through a verified procfs: a mount over /proc/self/attr must not take the write
        // (CVE-2019-16884, CVE-2025-52881).
        let specific = "thread-self/attr/apparmor/exec"
        try ProcFS.write(FileIO.exists("/proc/" + specific) ? specific : "thread-self/attr/exec", "exec " + profile)
    }
}
