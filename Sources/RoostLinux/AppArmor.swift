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
        let specific = "/proc/thread-self/attr/apparmor/exec"
        let path = FileIO.exists(specific) ? specific : "/proc/thread-self/attr/exec"
        try FileIO.writeExisting(path, "exec " + profile)
    }
}
