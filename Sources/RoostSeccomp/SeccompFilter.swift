import CRoostShim
import Glibc

/// A compiled seccomp filter: classic BPF (`struct sock_filter`, 8 bytes an instruction) and the
/// flags for seccomp(2). Compiled once, in roost's parent (SeccompCompiler); loaded by the
/// container's init or an exec'd process with one syscall, and kept in the state directory so
/// `exec` loads the same filter without compiling again.
public struct SeccompFilter: Equatable, Sendable {
    /// SECCOMP_FILTER_FLAG_* bits.
    public var flags: UInt32
    /// The program, `struct sock_filter` after `struct sock_filter`.
    public var program: [UInt8]
    /// listenerPath and listenerMetadata, for SCMP_ACT_NOTIFY (flags has NEW_LISTENER).
    public var listenerPath: String?
    public var listenerMetadata: String?

    public init(flags: UInt32, program: [UInt8], listenerPath: String? = nil, listenerMetadata: String? = nil) {
        self.flags = flags
        self.program = program
        self.listenerPath = listenerPath
        self.listenerMetadata = listenerMetadata
    }

    public var instructionCount: Int { program.count / 8 }
    /// Loading returns a listener fd for a seccomp agent.
    public var hasListener: Bool { flags & ROOST_SECCOMP_FILTER_FLAG_NEW_LISTENER != 0 }

    /// Installs the filter on the calling thread (the caller is single-threaded). Returns the
    /// listener fd when the filter has one, else 0; -1 with errno on failure. Without
    /// no_new_privs this needs CAP_SYS_ADMIN in the current user namespace.
    public func load() -> Int32 {
        program.withUnsafeBytes { roost_seccomp_load($0.baseAddress, UInt16(truncatingIfNeeded: instructionCount), flags) }
    }

    // MARK: the state directory's copy

    /// `seccomp.bpf`: "RSCF" (4 bytes), version 1 (1 byte), flags (u32 little-endian), the length
    /// of listenerPath and listenerMetadata (u32 LE each, 0xffffffff for absent) and their UTF-8
    /// bytes, then the program to the end of the file.
    public var serialized: [UInt8] {
        var out: [UInt8] = Array("RSCF".utf8) + [1]
        func u32(_ v: UInt32) { out += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        u32(flags)
        for s in [listenerPath, listenerMetadata] {
            if let s { u32(UInt32(s.utf8.count)); out += Array(s.utf8) } else { u32(UInt32.max) }
        }
        return out + program
    }

    /// Reads `serialized` back; nil for anything else.
    public init?(serialized b: [UInt8]) {
        guard b.count >= 17, Array(b[0..<4]) == Array("RSCF".utf8), b[4] == 1 else { return nil }
        var at = 5
        func u32() -> UInt32? {
            guard at + 4 <= b.count else { return nil }
            defer { at += 4 }
            return UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        }
        func string() -> String?? {
            guard let n = u32() else { return nil }
            if n == UInt32.max { return .some(nil) }
            guard at + Int(n) <= b.count else { return nil }
            defer { at += Int(n) }
            return .some(String(decoding: b[at..<(at + Int(n))], as: UTF8.self))
        }
        guard let flags = u32(), let path = string(), let metadata = string() else { return nil }
        let program = Array(b[at...])
        guard program.count % 8 == 0, !program.isEmpty, program.count / 8 <= Int(UInt16.max) else { return nil }
        self.init(flags: flags, program: program, listenerPath: path, listenerMetadata: metadata)
    }
}
