import Glibc
import RoostCgroups
import RoostLinux
import RoostSpec

/// The runtime-spec version roost implements, reported in state and to hooks.
let ociVersion = "1.3.0"

/// What `state.json` records: the OCI state plus runc's extra fields, the init's start time (so a
/// recycled pid is never taken for the container's init), and the hooks that run after create,
/// since later edits of the bundle's config.json must not affect the container.
package struct ContainerState {
    var id: String
    var pid: Int32
    var pidStartTime: UInt64
    var bundle: String
    var rootfs: String
    var created: String
    var annotations: [(key: String, value: String)]
    /// poststart and poststop hooks, as given in config.json.
    var hooks: Spec.Hooks?
    /// The container has its own pid namespace: killing init ends every process.
    var ownPidNamespace: Bool
    /// The namespace every process of the container shares and the host does not, as
    /// `readlink /proc/PID/ns/...` shows it ("pid:[...]", else "mnt:[...]"); nil when the
    /// container has neither of its own, and then only init is ever signalled. While any process
    /// of the container lives, the namespace lives, so its inode names no other.
    var processNamespace: String?
    /// The container's cgroup directories, removed on delete.
    var cgroups: (any CgroupDriver)?

    package var json: JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            (key: "ociVersion", value: .string(ociVersion)),
            (key: "id", value: .string(id)),
            (key: "pid", value: .number(String(pid))),
            (key: "pidStartTime", value: .number(String(pidStartTime))),
            (key: "bundle", value: .string(bundle)),
            (key: "rootfs", value: .string(rootfs)),
            (key: "created", value: .string(created)),
            (key: "annotations", value: .object(annotations.map { (key: $0.key, value: .string($0.value)) })),
            (key: "ownPidNamespace", value: .bool(ownPidNamespace)),
        ]
        if let processNamespace { fields.append((key: "processNamespace", value: .string(processNamespace))) }
        if let cgroups {
            fields.append((key: "cgroups", value: .object(cgroups.directories.map { (key: $0.controllers, value: .string($0.path)) })))
        }
        if let hooks { fields.append((key: "hooks", value: hooks.jsonValue)) }
        return .object(fields)
    }

    /// Reads state.json; a missing, truncated or corrupt file is an error naming the container.
    static func load(_ directory: StateDirectory) throws -> ContainerState {
        let bytes: [UInt8]
        do throws(SyscallError) { bytes = try FileIO.read(directory.stateFile) } catch {
            if error.errno == ENOENT {
                throw RuntimeError.invalidState(id: directory.id, problem: "state.json is missing (an interrupted create?); `roost delete --force \(directory.id)` removes it")
            }
            throw RuntimeError.syscall(error)
        }
        return try decode(bytes, id: directory.id, file: directory.stateFile)
    }

    /// state.json's bytes as a state; anything but a document `json` could have written is an
    /// error naming the container and the file. Package-visible for the fuzzer (Fuzz/).
    package static func decode(_ bytes: [UInt8], id containerID: String, file: String) throws -> ContainerState {
        func corrupt(_ why: String) -> RuntimeError {
            .invalidState(id: containerID, problem: "\(file) is corrupt: \(why); `roost delete --force \(containerID)` removes it")
        }
        let v: JSONValue
        do throws(JSONParseError) { v = try JSONValue.parse(bytes) } catch { throw corrupt("\(error)") }
        guard let id = v["id"]?.stringValue, let pid: Int32 = v["pid"]?.integerValue(),
            let bundle = v["bundle"]?.stringValue, let created = v["created"]?.stringValue
        else { throw corrupt("a required field is missing") }
        var hooks: Spec.Hooks?
        if let h = v["hooks"] {
            // The hooks decode through the spec model, the one place that knows their shape.
            let wrapper = JSONValue.object([(key: "ociVersion", value: .string(ociVersion)), (key: "hooks", value: h)])
            do throws(SpecError) { hooks = try Spec.decodeWithoutValidation(wrapper.serializedBytes(), file: "state.json").hooks } catch {
                throw corrupt("\(error)")
            }
        }
        return ContainerState(
            id: id, pid: pid, pidStartTime: v["pidStartTime"]?.integerValue() ?? 0, bundle: bundle,
            rootfs: v["rootfs"]?.stringValue ?? "", created: created,
            annotations: v["annotations"]?.objectValue?.compactMap { pair in pair.value.stringValue.map { (key: pair.key, value: $0) } } ?? [],
            hooks: hooks, ownPidNamespace: v["ownPidNamespace"]?.boolValue ?? true,
            processNamespace: v["processNamespace"]?.stringValue,
            cgroups: v["cgroups"]?.objectValue.map { dirs in
                Cgroup.recorded(dirs.compactMap { d in d.value.stringValue.map { CgroupDirectory(controllers: d.key, path: $0) } })
            })
    }

    /// The OCI state document as `roost state` prints it (runc's field order and indentation).
    func stateDocument(status: Status) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            (key: "ociVersion", value: .string(ociVersion)),
            (key: "id", value: .string(id)),
            (key: "pid", value: .number(String(status == .stopped ? 0 : pid))),
            (key: "status", value: .string(status.rawValue)),
            (key: "bundle", value: .string(bundle)),
            (key: "rootfs", value: .string(rootfs)),
            (key: "created", value: .string(created)),
        ]
        if !annotations.isEmpty {
            fields.append((key: "annotations", value: .object(annotations.map { (key: $0.key, value: .string($0.value)) })))
        }
        fields.append((key: "owner", value: .string("")))
        return .object(fields)
    }
}

/// RFC 3339 UTC time with nanoseconds, as runc's `created` field (Go's time.Time JSON).
func rfc3339Now() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    var t = ts.tv_sec
    var tmv = tm()
    gmtime_r(&t, &tmv)
    func pad(_ v: Int32, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
    var nanos = String(ts.tv_nsec)
    nanos = String(repeating: "0", count: 9 - nanos.count) + nanos
    while nanos.hasSuffix("0") { nanos.removeLast() }
    let frac = nanos.isEmpty ? "" : "." + nanos
    return "\(pad(tmv.tm_year + 1900, 4))-\(pad(tmv.tm_mon + 1, 2))-\(pad(tmv.tm_mday, 2))T\(pad(tmv.tm_hour, 2)):\(pad(tmv.tm_min, 2)):\(pad(tmv.tm_sec, 2))\(frac)Z"
}
