import Glibc
import RoostLinux
import RoostSeccomp
import RoostSpec

// linux.seccomp at run time. The profile is compiled to BPF in roost's parent before clone
// (ContainerPlan, SeccompCompiler) and kept in the state directory (seccomp.bpf) for `exec`; the
// child only loads it, at runc's points (standard_init_linux.go, setns_init_linux.go):
//  - without no_new_privs, loading needs CAP_SYS_ADMIN: before switchUser drops capabilities;
//  - with no_new_privs, as late as possible, so few of roost's syscalls run under the filter:
//    after prepare (after the PR_SET_NO_NEW_PRIVS prctl), before init reports `created` and
//    waits on the fifo / before exec's execve.
// With SCMP_ACT_NOTIFY rules the load gives a listener fd; the child sends it to roost over the
// sync socket and roost hands it to the agent at listenerPath (runc's sendContainerProcessState).

extension ProcessSetup {
    /// Loads the process's filter if it is loaded at this point: `early` is the point before
    /// switchUser, taken when no_new_privs is off.
    func loadSeccomp(early: Bool, sync: SyncSocket?) throws(InitFailure) {
        guard let filter = process.seccomp, early != process.noNewPrivileges else { return }
        try step("linux.seccomp") {
            let fd = filter.load()
            if fd < 0 {
                let why = errno == EACCES ? " (without process.noNewPrivileges loading needs CAP_SYS_ADMIN)" : ""
                throw InitFailure(step: "linux.seccomp", detail: "\(SyscallError("seccomp(SECCOMP_SET_MODE_FILTER)", "\(filter.instructionCount) instructions, flags \(filter.flags)"))\(why)")
            }
            if filter.hasListener {
                defer { close(fd) }
                guard let sync else { throw InitFailure(step: "linux.seccomp", detail: "no channel to send the listener fd to roost") }
                try sync.send(SyncMessage.seccompListener.bytes, fd: fd)
            }
        }
    }
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

enum SeccompAgent {
    /// Below the state root; ':' cannot be in a container id, so it is never taken for one.
    static let cacheDirectory = "cache:seccomp"

    /// Compiles linux.seccomp for the plan; unknown syscall names are ignored (debug line). With
    /// `cache` (a directory), a profile compiled before is read back instead: libseccomp takes
    /// 2–15 ms for an engine's profile, every create. An entry holds its whole key, which must
    /// match byte for byte, so a hash collision cannot hand out another profile's filter.
    static func compile(_ s: Spec.Seccomp?, cache: String? = nil) throws -> SeccompFilter? {
        guard let s else { return nil }
        let start = monotonicNow()
        // A small profile compiles faster than its entry is found and read (~0.1 ms either way);
        // past 32 names (where runc turns libseccomp's optimizer on) compiling costs ms.
        let cache = (s.syscalls ?? []).reduce(0, { $0 + $1.names.count }) > 32 ? cache : nil
        let key = cache.map { _ in cacheKey(s) }
        let entry = cache.flatMap { dir in key.map { dir + "/" + hex(fnv1a($0)) } }
        if let entry, let key, let filter = cached(entry, key: key) {
            Diagnostics.debug("seccomp: \(filter.instructionCount) BPF instructions from the cache (\(entry)) in \(Int((monotonicNow() - start) * 1e6)) µs")
            return filter
        }
        let compiled: SeccompCompilation?
        do throws(SpecError) { compiled = try SeccompCompiler.compile(s) } catch { throw RuntimeError.spec(error) }
        guard let compiled else { return nil }
        for name in compiled.ignoredNames { Diagnostics.debug("unknown seccomp syscall \"\(name)\" ignored") }
        let rules = (s.syscalls ?? []).reduce(0) { $0 + $1.names.count }
        let micros = Int((monotonicNow() - start) * 1e6)
        Diagnostics.debug("seccomp: \(rules) rules compiled to \(compiled.filter.instructionCount) BPF instructions (flags \(compiled.filter.flags)) in \(micros) µs")
        if let cache, let entry, let key {
            // Best effort: a cache that cannot be written only costs the next create a compile.
            // The state root, as StateDirectory.create makes it: the plan comes before it.
            _ = mkdir(InRoot.split(cache).0, 0o711)
            if mkdir(cache, 0o700) == 0 || errno == EEXIST {
                try? FileIO.writeAtomically(entry, Array(key.utf8) + [0] + compiled.filter.serialized)
            }
        }
        return compiled.filter
    }

    /// Everything the compiled filter depends on: the profile, the libseccomp that compiles it,
    /// and the kernel whose flag support decided the flags.
    static func cacheKey(_ s: Spec.Seccomp) -> String {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var k = "roost seccomp cache 1\nlibseccomp \(SeccompCompiler.libseccompVersion)\nkernel \(release)\n"
        k += "default \(s.defaultAction) \(s.defaultErrnoRet.map(String.init) ?? "-")\n"
        k += "arch \((s.architectures ?? []).joined(separator: ","))\n"
        k += "flags \(s.flags.map { $0.joined(separator: ",") } ?? "-")\n"
        k += "listener \(s.listenerPath ?? "-") \(s.listenerMetadata?.utf8.count ?? 0):\(s.listenerMetadata ?? "")\n"
        for rule in s.syscalls ?? [] {
            k += "rule \(rule.action) \(rule.errnoRet.map(String.init) ?? "-") \(rule.names.joined(separator: ","))"
            for a in rule.args ?? [] { k += " [\(a.index) \(a.op) \(a.value) \(a.valueTwo.map(String.init) ?? "-")]" }
            k += "\n"
        }
        return k
    }

    private static func cached(_ path: String, key: String) -> SeccompFilter? {
        guard let bytes = try? FileIO.read(path), let nul = bytes.firstIndex(of: 0),
            bytes[..<nul].elementsEqual(key.utf8)
        else { return nil }
        return SeccompFilter(serialized: Array(bytes[(nul + 1)...]))
    }

    private static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    private static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

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
            throw RuntimeError.config(path: "linux.seccomp.listenerPath", problem: "cannot connect to the seccomp agent", cause: error)
        }
        defer { close(sock) }
        do throws(SyscallError) { try UnixSocket.sendFD(sock, fd, message: message, display: path) } catch {
            throw RuntimeError.config(path: "linux.seccomp.listenerPath", problem: "cannot send the seccomp fd", cause: error)
        }
    }
}
