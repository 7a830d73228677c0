import Glibc
import RoostLinux
@testable import RoostCgroups

/// An in-memory cgroup tree: files that exist, what was written to them in order, and errors
/// to give for chosen paths. A write to a missing file fails with ENOENT, as on cgroupfs.
final class FakeFiles: CgroupFiles {
    var files: [String: String] = [:]
    var dirs: Set<String> = []
    var writes: [(path: String, value: String)] = []
    var failures: [String: Int32] = [:]
    var installed: [(program: [BPFInstruction], dir: String)] = []
    var installErrno: Int32? = nil

    init(_ files: [String: String] = [:], dirs: Set<String> = []) {
        self.files = files
        self.dirs = dirs
    }

    func read(_ path: String) throws(SyscallError) -> String {
        if let e = failures[path] { throw SyscallError("read", path, errno: e) }
        guard let v = files[path] else { throw SyscallError("open", path, errno: ENOENT) }
        return v
    }

    func write(_ path: String, _ value: String) throws(SyscallError) {
        if let e = failures[path] { throw SyscallError("write", path, errno: e) }
        guard files[path] != nil else { throw SyscallError("open", path, errno: ENOENT) }
        files[path] = value
        writes.append((path, value))
    }

    func exists(_ path: String) -> Bool { files[path] != nil || dirs.contains(path) }

    func makeDirectory(_ path: String) throws(SyscallError) -> Bool {
        if let e = failures[path] { throw SyscallError("mkdir", path, errno: e) }
        return dirs.insert(path).inserted
    }

    func removeDirectory(_ path: String) { dirs.remove(path) }

    func list(_ path: String) -> [String] {
        files.keys.filter { $0.hasPrefix(path + "/") && !$0.dropFirst(path.count + 1).contains("/") }
            .map { String($0.dropFirst(path.count + 1)) }
    }

    func installDeviceFilter(_ program: [BPFInstruction], on dir: String) throws(SyscallError) {
        if let e = installErrno { throw SyscallError("bpf(BPF_PROG_LOAD)", dir, errno: e) }
        installed.append((program, dir))
    }

    /// The writes as "file=value" with the directory cut off.
    func log(below dir: String) -> [String] {
        writes.map { "\($0.path.hasPrefix(dir + "/") ? String($0.path.dropFirst(dir.count + 1)) : $0.path)=\($0.value)" }
    }
}

/// A fresh directory under /tmp, removed with its contents by `cleanup`.
func temporaryDirectory() -> String {
    var template = Array("/tmp/roost-cgroups-test-XXXXXX".utf8CString)
    let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    return String(cString: p!)
}

func removeRecursively(_ path: String) {
    if let dir = opendir(path) {
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for n in names {
            let child = path + "/" + n
            if FileIO.isDirectory(child) { removeRecursively(child) } else { unlink(child) }
        }
    }
    rmdir(path)
}

func writeFile(_ path: String, _ text: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "create \(path)")
    _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
    close(fd)
}

func readFile(_ path: String) -> String? {
    (try? FileIO.read(path)).map { String(decoding: $0, as: UTF8.self) }
}
