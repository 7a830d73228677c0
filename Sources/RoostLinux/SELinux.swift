import CRoostShim
import Glibc

/// SELinux's side of process start and of mounts: the context execve switches to, the context
/// of the keyrings a process creates, and the `context=` mount option.
public enum SELinux {
    /// go-selinux's test: a writable selinuxfs is mounted (at /sys/fs/selinux, or wherever
    /// mountinfo says) and a policy is loaded (this process's context is not "kernel").
    public static var isEnabled: Bool {
        guard mountPoint != nil else { return false }
        guard let current = try? FileIO.read("/proc/thread-self/attr/current") else { return false }
        return trimmed(current) != "kernel"
    }

    /// Where a writable selinuxfs is mounted, if anywhere.
    static var mountPoint: String? {
        if isWritableSelinuxfs("/sys/fs/selinux") { return "/sys/fs/selinux" }
        guard let fs = try? FileIO.read("/proc/filesystems"),
            String(decoding: fs, as: UTF8.self).contains("\tselinuxfs\n"),
            let info = try? FileIO.read("/proc/self/mountinfo")
        else { return nil }
        for line in String(decoding: info, as: UTF8.self).fields("\n") where line.contains(" - selinuxfs ") {
            let f = line.fields(" ")
            if f.count > 4, isWritableSelinuxfs(String(f[4])) { return String(f[4]) }
        }
        return nil
    }

    private static func isWritableSelinuxfs(_ path: String) -> Bool {
        guard FileSystemType.of(path) == .selinuxfs else { return false }
        var st = statvfs()
        return statvfs(path, &st) == 0 && (st.f_flag & UInt(ST_RDONLY)) == 0
    }

    /// The context the next execve of this thread switches to (runc's SetExecLabel).
    public static func setExecLabel(_ label: String) throws(SyscallError) {
        try ProcFS.write("thread-self/attr/exec", label)
    }

    /// The context of keyrings this process creates from now on; "" for the default again
    /// (runc's SetKeyLabel, on the thread-group leader). A kernel without the file is fine, as
    /// is a refused reset.
    public static func setKeyCreateLabel(_ label: String) throws(SyscallError) {
        do throws(SyscallError) { try ProcFS.write("self/attr/keycreate", label) } catch {
            if error.errno == ENOENT || (label.isEmpty && (error.errno == EPERM || error.errno == EACCES)) { return }
            throw error
        }
    }

    /// Labels a file (following symlinks): its security.selinux attribute.
    public static func setFileLabel(_ path: String, _ label: String, display: String) throws(SyscallError) {
        try sys("setxattr(security.selinux)", display) {
            roost_setxattr(path, "security.selinux", label, label.utf8.count)
        }
    }

    /// Mount data with `context="LABEL"` added (go-selinux's FormatMountLabel).
    public static func mountData(_ data: String, label: String) -> String {
        let option = "context=\"\(label)\""
        return data.isEmpty ? option : data + "," + option
    }

    static func trimmed(_ bytes: [UInt8]) -> String {
        var b = bytes[...]
        while let last = b.last, last == 0 || last == UInt8(ascii: "\n") { b = b.dropLast() }
        return String(decoding: b, as: UTF8.self)
    }
}
