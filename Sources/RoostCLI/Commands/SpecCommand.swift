import Glibc
import RoostLinux
import RoostSpec

/// `roost spec [--bundle DIR] [--rootless]`: writes runc's starter config.json.
enum SpecCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        let bundle = a.value("bundle")
        let rootless = a.flag("rootless")
        let dir = bundle ?? "."
        let path = dir + "/config.json"
        if access(path, F_OK) == 0 {
            Report.fail("spec: File \(path) exists. Remove it first", code: 1)
        }
        let spec = Spec.runcDefault(
            rootless: rootless, cgroupNamespace: Host.isCgroup2Only, uid: geteuid(), gid: getegid())
        let bytes = Array(spec.marshalIndented().utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            Report.fail("spec: cannot write \(path): \(String(cString: strerror(errno)))", code: 1)
        }
        defer { close(fd) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 { Report.fail("spec: write \(path): \(String(cString: strerror(errno)))", code: 1) }
            off += n
        }
        return 0
    }
}
