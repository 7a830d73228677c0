import Glibc
import RoostSpec

// linux.resources.unified (runc's fs2 setUnified): any v2 file by name, written verbatim.

extension CgroupV2Files {
    func setUnified(_ r: Spec.Resources) throws(CgroupError) {
        guard let unified = r.unified else { return }
        for (key, value) in zip(unified.keys, unified.values) {
            let p = "linux.resources.unified.\(key)"
            if key.contains("/") { throw CgroupError(path: p, problem: "must be a file name (no slashes)") }
            for line in Self.lines(value) {
                do { try tryWrite(key, line) } catch {
                    if error.errno == EPERM || error.errno == ENOENT {
                        guard let dot = key.firstIndex(of: ".") else {
                            throw CgroupError(path: p, problem: "must be a file name of the form CONTROLLER.PARAMETER")
                        }
                        let controller = String(key[..<dot])
                        if controller != "cgroup" && !controllers.contains(Substring(controller)) {
                            throw CgroupError(path: p, problem: "cannot be set: the \(controller) controller is not available in \(dir)")
                        }
                    }
                    throw CgroupError(path: p, problem: problem(key, line, error))
                }
            }
        }
    }

    /// Several lines go in one write each, as runc's WriteFileByLine: each keeps its newline.
    static func lines(_ value: String) -> [String] {
        var lines: [String] = []
        var rest = Substring(value)
        while let nl = rest.firstIndex(of: "\n") {
            lines.append(String(rest[...nl]))
            rest = rest[rest.index(after: nl)...]
        }
        if !rest.isEmpty || lines.isEmpty { lines.append(String(rest)) }
        return lines
    }
}
