import CSeccomp
import RoostSpec

/// A few BPF instructions put before a profile's filter so that a syscall newer than every
/// syscall the profile names gets ENOSYS rather than the profile's default action (runc's
/// patchbpf). A profile written before a kernel added, say, clone3 then tells libc "not
/// implemented", and libc falls back to the old call; an errno such as EPERM by default would
/// make it fail outright. "Newer" is "a larger number on that architecture", runc's measure.
///
/// Laid out as:
///
///     ld [4]                         the audit architecture
///     jeq ARCH_1, → section 1        one per architecture of the filter
///     ...
///     ja → filter                    any other architecture: the filter decides
///     section: ld [0]                the syscall number
///              jgt LAST, → enosys    (x86_64: x32 calls, bit 30 set, against x32's last)
///              ja → filter
///     enosys:  ret ERRNO(ENOSYS)
///     filter:  the profile, as libseccomp made it
enum EnosysStub {
    /// One instruction of the stub; jumps name their target and are resolved at the end.
    private enum Op {
        case loadArch, loadNumber
        case jumpIfEqual(UInt32, Label)
        case jumpIfAbove(UInt32, Label)
        /// Goes to `set` when the number has `bits`, to `clear` (nil: the next one) otherwise.
        case jumpIfBits(UInt32, set: Label?, clear: Label?)
        case jump(Label)
        case returnENOSYS
    }

    private enum Label: Hashable {
        case section(UInt32), x32(UInt32), enosys, filter
    }

    static let x32SyscallBit: UInt32 = 0x4000_0000
    /// AUDIT_ARCH_X86_64, which x32 shares; SCMP_ARCH_X32 is libseccomp's own token for x32.
    static let x86_64 = roost_scmp_arch_x86_64()
    static let x32 = roost_scmp_arch_x32()
    static let retENOSYS: UInt32 = 0x0005_0000 | 38  // SECCOMP_RET_ERRNO | ENOSYS

    /// The stub for `s` as raw sock_filter instructions (8 bytes each), or none where runc adds
    /// none: a permissive default action (allow, log, trace), or no rule naming a syscall this
    /// libseccomp knows. It covers the profile's architectures and the native one, each with
    /// its own numbering (x86_64 and x32 share one audit architecture).
    static func program(for s: Spec.Seccomp) -> [UInt8] {
        if ["SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE"].contains(s.defaultAction) { return [] }
        let names = (s.syscalls ?? []).flatMap(\.names)
        // (audit architecture, libseccomp architecture) → the largest number a rule names.
        var last: [UInt32: [UInt32: UInt32]] = [:]
        var tokens = (s.architectures ?? []).compactMap { SeccompCompiler.libseccompArchitectures[$0] }.map { seccomp_arch_resolve_name($0) }
        tokens.append(seccomp_arch_native())
        for token in Set(tokens) where token != 0 {
            let audit = token == x32 ? x86_64 : token
            var largest: Int32 = -1
            for name in names {
                let nr = seccomp_syscall_resolve_name_arch(token, name)
                if nr >= 0 && nr > largest { largest = nr }
            }
            if largest > 0 { last[audit, default: [:]][token] = UInt32(largest) }
        }
        if last.isEmpty { return [] }
        return assemble(ops(last))
    }

    private static func ops(_ last: [UInt32: [UInt32: UInt32]]) -> [(Label?, Op)] {
        let arches = last.keys.sorted()
        var out: [(Label?, Op)] = [(nil, .loadArch)]
        for audit in arches { out.append((nil, .jumpIfEqual(audit, .section(audit)))) }
        out.append((nil, .jump(.filter)))
        for audit in arches {
            let byToken = last[audit]!
            out.append((.section(audit), .loadNumber))
            if audit == x86_64 {
                let x86 = byToken[Self.x86_64], x32 = byToken[Self.x32]
                // A number with bit 30 is an x32 call; without an x32 limit the filter decides.
                out.append((nil, .jumpIfBits(x32SyscallBit, set: x32 == nil ? .filter : .x32(audit), clear: x86 == nil ? .filter : nil)))
                if let x86 {
                    out.append((nil, .jumpIfAbove(x86, .enosys)))
                    out.append((nil, .jump(.filter)))
                }
                if let x32 {
                    out.append((.x32(audit), .jumpIfAbove(x32, .enosys)))
                    out.append((nil, .jump(.filter)))
                }
            } else if let nr = byToken.values.max() {
                out.append((nil, .jumpIfAbove(nr, .enosys)))
                out.append((nil, .jump(.filter)))
            }
        }
        out.append((.enosys, .returnENOSYS))
        return out
    }

    /// Resolves the labels (the filter starts right after the stub) and encodes each
    /// instruction as struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}, little-endian.
    private static func assemble(_ ops: [(Label?, Op)]) -> [UInt8] {
        var at: [Label: Int] = [.filter: ops.count]
        for (i, (label, _)) in ops.enumerated() { if let label { at[label] = i } }
        var bytes: [UInt8] = []
        func emit(_ code: UInt16, _ jt: Int = 0, _ jf: Int = 0, _ k: UInt32 = 0) {
            precondition(jt >= 0 && jt <= 255 && jf >= 0 && jf <= 255, "ENOSYS stub: a jump out of range")
            bytes += [UInt8(code & 0xff), UInt8(code >> 8), UInt8(jt), UInt8(jf)]
            bytes += [UInt8(k & 0xff), UInt8((k >> 8) & 0xff), UInt8((k >> 16) & 0xff), UInt8(k >> 24)]
        }
        for (i, (_, op)) in ops.enumerated() {
            // A jump's offset counts from the instruction after it.
            func offset(_ label: Label?) -> Int { label.map { at[$0]! - i - 1 } ?? 0 }
            switch op {
            case .loadArch: emit(0x20, 0, 0, 4)  // BPF_LD|BPF_W|BPF_ABS, seccomp_data.arch
            case .loadNumber: emit(0x20, 0, 0, 0)  // seccomp_data.nr
            case .jumpIfEqual(let k, let target): emit(0x15, offset(target), 0, k)  // BPF_JMP|BPF_JEQ|BPF_K
            case .jumpIfAbove(let k, let target): emit(0x25, offset(target), 0, k)  // BPF_JMP|BPF_JGT|BPF_K
            case .jumpIfBits(let k, let set, let clear): emit(0x45, offset(set), offset(clear), k)  // BPF_JMP|BPF_JSET|BPF_K
            case .jump(let target): emit(0x05, 0, 0, UInt32(offset(target)))  // BPF_JMP|BPF_JA
            case .returnENOSYS: emit(0x06, 0, 0, retENOSYS)  // BPF_RET|BPF_K
            }
        }
        return bytes
    }
}
