import Glibc
import RoostLinux

/// One v2 cgroup directory's files, as each controller's code reads and writes them: through
/// `CgroupFiles` (the host's, or a fake in unit tests), each failed write naming its JSON path.
struct CgroupV2Files<Files: CgroupFiles> {
    let dir: String
    let files: Files

    func write(_ file: String, _ value: String, _ jsonPath: String) throws(CgroupError) {
        do { try files.write(dir + "/" + file, value) } catch {
            throw CgroupError(path: jsonPath, problem: problem(file, value, error))
        }
    }

    /// A write whose failure the caller looks at (a file an older kernel lacks, say).
    func tryWrite(_ file: String, _ value: String) throws(SyscallError) { try files.write(dir + "/" + file, value) }

    func readFile(_ file: String) throws(SyscallError) -> String { try files.read(dir + "/" + file) }

    /// The file's text without surrounding white space; nil when it cannot be read.
    func read(_ file: String) -> String? { (try? files.read(dir + "/" + file))?.trimmingWhitespace }

    /// A value where "max" is UInt64.max (runc's GetCgroupParamUint).
    func number(_ file: String) -> UInt64? {
        guard let t = read(file) else { return nil }
        return t == "max" ? UInt64.max : UInt64(t)
    }

    /// `key value` lines (memory.stat, cpu.stat, an events file).
    func table(_ file: String) -> [(String, UInt64)] {
        (read(file) ?? "").split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            return f.count == 2 ? UInt64(f[1]).map { (String(f[0]), $0) } : nil
        }
    }

    /// The controllers enabled for this directory (cgroup.controllers).
    var controllers: [Substring] {
        ((try? files.read(dir + "/cgroup.controllers")) ?? "").split(whereSeparator: { $0 == " " || $0 == "\n" })
    }

    /// One line for a failed write (or read, with no value): the file, the value, the errno,
    /// and for a missing file which controller is absent.
    func problem(_ file: String, _ value: String?, _ error: SyscallError) -> String {
        let what = value.map { "write \($0.debugDescription) to \(dir)/\(file)" } ?? "read \(dir)/\(file)"
        let reason = String(cString: strerror(error.errno))
        if error.errno == ENOENT && file == "memory.swap.max" { return "\(what): \(reason) (this kernel does not account swap)" }
        if error.errno == ENOENT, let dot = file.firstIndex(of: ".") {
            return "\(what): \(reason) (the \(file[..<dot]) controller is not enabled for this cgroup)"
        }
        return "\(what): \(reason)"
    }
}
