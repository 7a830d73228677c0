import Glibc
import RoostLinux
import RoostSeccomp
import RoostSpec

/// The seccomp agent of linux.seccomp.listenerPath: roost hands it each listener fd of a
/// filter with SCMP_ACT_NOTIFY rules, with the container's state.
enum SeccompAgent {
    /// Hands a listener fd to the seccomp agent at listenerPath with runc's ContainerProcessState:
    /// `pid` is the filtered process, `state` the container's (status creating for init, running
    /// for exec).
    static func send(
        listener fd: Int32, filter: SeccompFilter, pid: Int32, id: String, status: String, initPid: Int32, bundle: String,
        annotations: [(key: String, value: String)]
    ) throws {
        guard let path = filter.listenerPath, !path.isEmpty else {
            throw RuntimeError.config(path: "linux.seccomp.listenerPath", problem: "must be set when SCMP_ACT_NOTIFY is used")
        }
        let state = HookRunner.stateJSON(id: id, status: status, pid: initPid, bundle: bundle, annotations: annotations)
        var fields: [(key: String, value: JSONValue)] = [
            (key: "ociVersion", value: .string(ociVersion)),
            (key: "fds", value: .array([.string("seccompFd")])),
            (key: "pid", value: .number(String(pid))),
        ]
        if let m = filter.listenerMetadata, !m.isEmpty { fields.append((key: "metadata", value: .string(m))) }
        var message = JSONValue.object(fields).serializedBytes()
        // `"state": ` + the hooks' state document, before the closing brace.
        message.removeLast()
        message += Array(",\"state\":".utf8) + state + [UInt8(ascii: "}")]
        let sock: Int32
        do throws(SyscallError) { sock = try UnixSocket.connect(path) } catch {
            throw RuntimeError.config(path: "linux.seccomp.listenerPath", problem: "failed to connect with seccomp agent", cause: error)
        }
        defer { close(sock) }
        do throws(SyscallError) { try UnixSocket.sendFD(sock, fd, message: message, display: path) } catch {
            throw RuntimeError.config(path: "linux.seccomp.listenerPath", problem: "cannot send the seccomp fd", cause: error)
        }
    }
}
