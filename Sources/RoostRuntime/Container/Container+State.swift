import Glibc
import RoostLinux
import RoostSeccomp
import RoostSpec

/// One row of `roost list`, or the document of `roost state`.
public struct ContainerSummary {
    public let id: String
    public let pid: Int32
    public let status: String
    public let bundle: String
    public let created: String
    public let owner: String
    public let document: JSONValue
}

extension Container {
    /// `roost state ID`: the OCI state document.
    public static func state(id: String, stateRoot: String) throws -> JSONValue {
        let directory = try directory(id, root: stateRoot)
        let lock = try directory.lock(exclusive: false)
        defer { withExtendedLifetime(lock) {} }
        let c = try LoadedContainer.load(directory)
        return c.state.stateDocument(status: c.status)
    }

    /// `roost list`: every container under the root, skipping (with a warning) any whose state
    /// cannot be read, so one broken container does not hide the others.
    public static func list(stateRoot: String) throws -> [ContainerSummary] {
        guard let dir = opendir(stateRoot) else {
            if errno == ENOENT { return [] }
            throw RuntimeError.syscall(SyscallError("opendir", stateRoot))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_type == DT_DIR else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            // Not containers: the dot entries and roost's own caches (no id has a ':').
            if name != "." && name != ".." && name != SeccompCache.directoryName { names.append(name) }
        }
        names.sort()
        var users: [UInt32: String] = [:]
        var out: [ContainerSummary] = []
        for name in names {
            let directory = StateDirectory(root: stateRoot, id: name)
            do {
                // No lock: state.json is replaced by rename, so it is whole or absent; absent while
                // a create is under way.
                if !FileIO.exists(directory.stateFile), try directory.lock(exclusive: false, wait: false) == nil {
                    out.append(ContainerSummary(id: name, pid: 0, status: "creating", bundle: "", created: "", owner: "", document: .null))
                    continue
                }
                let c = try LoadedContainer.load(directory)
                var st = stat()
                let uid = stat(directory.path, &st) == 0 ? st.st_uid : 0
                if users[uid] == nil { users[uid] = userName(uid) }
                let owner = users[uid] ?? "#\(uid)"
                var doc = c.state.stateDocument(status: c.status)
                if case .object(var fields) = doc, let k = fields.firstIndex(where: { $0.key == "owner" }) {
                    fields[k].value = .string(owner)
                    doc = .object(fields)
                }
                out.append(ContainerSummary(
                    id: name, pid: c.status == .stopped ? 0 : c.state.pid, status: c.status.rawValue,
                    bundle: c.state.bundle, created: c.state.created, owner: owner, document: doc))
            } catch RuntimeError.notFound(_) {
                continue  // deleted while we looked
            } catch {
                Diagnostics.warn("\(error)")
            }
        }
        return out
    }
}

/// The user name of `uid` from /etc/passwd, or `#uid` (runc's owner column).
func userName(_ uid: UInt32) -> String {
    if let bytes = try? FileIO.read("/etc/passwd") {
        for line in String(decoding: bytes, as: UTF8.self).fields("\n") {
            let f = line.fields(":", omittingEmpty: false)
            if f.count > 2, UInt32(f[2]) == uid { return String(f[0]) }
        }
    }
    return "#\(uid)"
}
