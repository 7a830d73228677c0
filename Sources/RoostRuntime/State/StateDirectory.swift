import Glibc
import RoostCgroups
import RoostLinux
import RoostSeccomp

/// The on-disk home of one container: `<root>/<id>/` holding `state.json` (written atomically) and,
/// while the container is created but not started, `exec.sock` (init listens on it; `start` connects:
/// see Container.release); `seccomp.bpf` is the compiled
/// linux.seccomp filter for `exec` (format: SeccompFilter.serialized, accessors in Stages/Seccomp.swift).
struct StateDirectory {
    let root: String
    let id: String
    var path: String { root + "/" + id }
    var stateFile: String { path + "/state.json" }
    /// Where a created init waits for `start`. A listening socket, not runc's fifo: init holds only
    /// the socket, where a fifo would need a host directory fd or /proc to open it by (SECURITY.md).
    var startSocket: String { path + "/exec.sock" }
    var configFile: String { path + "/config.json" }
    /// The container's cgroup directories, one `controllers<TAB>path` per line.
    var cgroupsFile: String { path + "/cgroups" }

    /// The cgroups recorded by a create, even one that never finished.
    func recordedCgroups() -> (any CgroupDriver)? {
        guard let bytes = try? FileIO.read(cgroupsFile) else { return nil }
        let dirs = String(decoding: bytes, as: UTF8.self).fields("\n").compactMap { line -> CgroupDirectory? in
            let f = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return f.count == 2 ? CgroupDirectory(controllers: String(f[0]), path: String(f[1])) : nil
        }
        return Cgroup.recorded(dirs)
    }

    /// Checks runc's id rule: letters, digits and `_+.-`, not `.` or `..`.
    static func validate(id: String) throws {
        let ok = !id.isEmpty && id != "." && id != ".."
            && id.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == UInt8(ascii: "_") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
            }
        if !ok { throw RuntimeError.invalidID(id) }
    }

    /// Makes the directory; fails if the id is taken (mkdir is the atomic claim on the id).
    func create() throws {
        if mkdir(root, 0o711) != 0 && errno != EEXIST {
            throw RuntimeError.syscall(SyscallError("mkdir", root))
        }
        if mkdir(path, 0o711) != 0 {
            if errno == EEXIST { throw RuntimeError.exists(id) }
            throw RuntimeError.syscall(SyscallError("mkdir", path))
        }
    }

    /// The socket init waits on for `start`: only its owner (root, or the rootless user) connects.
    func listenForStart() throws -> FileDescriptor {
        do throws(SyscallError) { return FileDescriptor(adopting: try UnixSocket.listen(startSocket, mode: 0o600)) } catch {
            throw RuntimeError.syscall(error)
        }
    }

    var exists: Bool { FileIO.exists(path) }

    /// Takes the container's lock: an flock on its directory, exclusive for commands that change
    /// it, shared for readers. Commands on one id serialize; different ids never block each other.
    /// Returns nil when `wait` is false and someone else holds it.
    func lock(exclusive: Bool = true, wait: Bool = true) throws -> Lock? {
        let fd: Int32
        do throws(SyscallError) { fd = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY).release() } catch {
            if error.errno == ENOENT { throw RuntimeError.notFound(id) }
            throw RuntimeError.syscall(error)
        }
        let op = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        let lock = Lock(fd: fd)
        while flock(fd, op) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return nil }
            throw RuntimeError.syscall(SyscallError("flock", path))
        }
        // It may have been deleted while we waited.
        if !exists { throw RuntimeError.notFound(id) }
        return lock
    }

    /// Removes the directory and what it holds (only regular entries live here).
    func remove() {
        for name in ["state.json", "state.json.tmp", "config.json", "config.json.tmp", "cgroups", "cgroups.tmp", "seccomp.bpf", "seccomp.bpf.tmp", "exec.sock", "ptrace-visible", "notify/notify.sock"] { unlink(path + "/" + name) }
        rmdir(path + "/notify")
        rmdir(path)
    }
}

/// A held flock; released when the last reference goes.
final class Lock {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

extension StateDirectory {
    /// The compiled filter of the container's process (SeccompFilter.serialized), for `exec`.
    var seccompFile: String { path + "/seccomp.bpf" }

    func writeSeccomp(_ filter: SeccompFilter?) throws(SyscallError) {
        guard let filter else { return }
        try FileIO.writeAtomically(seccompFile, filter.serialized)
    }

    /// The container's filter; nil when it has none.
    func readSeccomp() throws -> SeccompFilter? {
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try FileIO.read(seccompFile) } catch {
            if error.errno == ENOENT { return nil }
            throw RuntimeError.syscall(error)
        }
        guard let filter = SeccompFilter(serialized: bytes) else {
            throw RuntimeError.invalidState(id: id, problem: "its seccomp.bpf is damaged")
        }
        return filter
    }
}
