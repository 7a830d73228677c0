import Glibc
import RoostLinux
import RoostSpec

/// Compiled filters kept between creates, one file per profile in `directory` (below the state
/// root): libseccomp takes 2–15 ms for an engine's profile, every create. An entry holds its
/// whole key, which must match byte for byte, so a hash collision cannot hand out another
/// profile's filter.
public struct SeccompCache: Sendable {
    /// Its name below the state root; ':' cannot be in a container id, so it is never taken for one.
    public static let directoryName = "cache:seccomp"

    public let directory: String

    public init(stateRoot: String) { directory = stateRoot + "/" + Self.directoryName }

    /// What `compile` did.
    public enum Source: Sendable { case compiled, cache }

    /// The compilation of `s`: read back when the profile was compiled before, else compiled
    /// and kept (best effort: a cache that cannot be written only costs the next create a
    /// compile). A small profile is always compiled: that is faster than finding and reading
    /// its entry (~0.1 ms either way); past 32 names (where runc turns libseccomp's optimizer
    /// on) compiling costs milliseconds. nil when the profile means "no seccomp".
    public func compile(_ s: Spec.Seccomp) throws(SpecError) -> (SeccompCompilation, Source)? {
        guard (s.syscalls ?? []).reduce(0, { $0 + $1.names.count }) > 32 else {
            return try SeccompCompiler.compile(s).map { ($0, .compiled) }
        }
        let key = Self.key(s)
        let entry = directory + "/" + Self.hex(Self.fnv1a(key))
        if let filter = Self.read(entry, key: key) { return (SeccompCompilation(filter: filter, ignoredNames: []), .cache) }
        guard let compiled = try SeccompCompiler.compile(s) else { return nil }
        // The state root, as StateDirectory makes it: the plan comes before it.
        _ = mkdir(InRoot.split(directory).0, 0o711)
        if mkdir(directory, 0o700) == 0 || errno == EEXIST {
            try? FileIO.writeAtomically(entry, Array(key.utf8) + [0] + compiled.filter.serialized)
        }
        return (compiled, .compiled)
    }

    /// Everything the compiled filter depends on: the profile, the libseccomp that compiles it,
    /// and the kernel whose flag support decided the flags.
    static func key(_ s: Spec.Seccomp) -> String {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var k = "roost seccomp cache 2\nlibseccomp \(SeccompCompiler.libseccompVersion)\nkernel \(release)\n"
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

    private static func read(_ path: String, key: String) -> SeccompFilter? {
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
}
