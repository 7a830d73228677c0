import CRoostShim
import CSeccomp
import Glibc
import RoostSpec

/// What compiling `linux.seccomp` gave: the filter, and the syscall names libseccomp does not know
/// on this architecture (ignored, as runc does; worth a debug line).
public struct SeccompCompilation: Sendable {
    public var filter: SeccompFilter
    public var ignoredNames: [String]
}

/// `linux.seccomp` to BPF with libseccomp, the way runc v1.5.1 builds its filter (libcontainer/
/// seccomp/seccomp_linux.go InitSeccomp and matchCall, specconv SetupSeccomp), but in roost's
/// parent before clone: a profile libseccomp or the kernel refuses fails `create` with one line
/// and the child only loads the result.
public enum SeccompCompiler {
    /// nil when the profile means "no seccomp" (no default action and no rules, as runc).
    /// Errors name the JSON path under `linux.seccomp`.
    public static func compile(_ s: Spec.Seccomp) throws(SpecError) -> SeccompCompilation? {
        let calls = s.syscalls ?? []
        if s.defaultAction.isEmpty && calls.isEmpty { return nil }
        guard let defaultAction = action(s.defaultAction, s.defaultErrnoRet) else {
            throw fail(".defaultAction", "unknown seccomp action \"\(s.defaultAction)\"")
        }
        if s.defaultAction == "SCMP_ACT_NOTIFY" { throw fail(".defaultAction", "SCMP_ACT_NOTIFY cannot be used as default action") }
        guard let ctx = seccomp_init(defaultAction) else {
            throw fail(".defaultAction", "libseccomp refused \(s.defaultAction) (not supported by this kernel?)")
        }
        defer { seccomp_release(ctx) }

        try addArchitectures(s.architectures ?? [], to: ctx)
        var flags = try filterFlags(s.flags)
        // runc: binary-tree optimization for long rule sets (libseccomp <= 2.5.4 misbehaves with
        // it and no rules); counted per name, as runc's config holds one rule per name.
        if calls.reduce(0, { $0 + $1.names.count }) > 32 {
            _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)
        }
        // no_new_privs is the process's setting, not the filter's (only seccomp_load would use it).
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)

        var ignored: [String] = []
        var notifies = false
        for (i, call) in calls.enumerated() {
            try addRule(call, at: ".syscalls[\(i)]", to: ctx, defaultAction: defaultAction, ignored: &ignored, notifies: &notifies)
        }
        if notifies {
            flags |= ROOST_SECCOMP_FILTER_FLAG_NEW_LISTENER
            if !flagSupported(ROOST_SECCOMP_FILTER_FLAG_NEW_LISTENER) {
                throw fail(".syscalls", "SCMP_ACT_NOTIFY is not supported by this kernel")
            }
            if (s.listenerPath ?? "").isEmpty { throw fail(".listenerPath", "must be set when SCMP_ACT_NOTIFY is used") }
        } else if flags & ROOST_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV != 0 {
            // The kernel refuses it without a listener (runc fails when init loads the filter).
            let i = s.flags?.firstIndex(of: "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") ?? 0
            throw fail(".flags[\(i)]", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule")
        }

        // runc's patchbpf: syscalls newer than the profile get ENOSYS, not its default action.
        let program = EnosysStub.program(for: s) + (try export(ctx))
        // BPF_MAXINSNS: the kernel refuses longer programs.
        if program.count / 8 > 4096 {
            throw fail("", "the compiled filter has \(program.count / 8) BPF instructions; the kernel takes at most 4096")
        }
        let filter = SeccompFilter(
            flags: flags, program: program, listenerPath: notifies ? s.listenerPath : nil,
            listenerMetadata: notifies ? s.listenerMetadata : nil)
        return SeccompCompilation(filter: filter, ignoredNames: ignored)
    }

    private static func fail(_ path: String, _ problem: String) -> SpecError { SpecError(path: "linux.seccomp" + path, problem: problem) }

    private static func reason(_ r: Int32) -> String { String(cString: strerror(-r)) }

    private static func addArchitectures(_ architectures: [String], to ctx: scmp_filter_ctx) throws(SpecError) {
        for (i, arch) in architectures.enumerated() {
            guard let name = libseccompArchitectures[arch] else { throw fail(".architectures[\(i)]", "unknown seccomp architecture \"\(arch)\"") }
            let token = seccomp_arch_resolve_name(name)
            if token == 0 { throw fail(".architectures[\(i)]", "\(arch) is not supported by libseccomp \(libseccompVersion)") }
            // The native architecture is in every new filter: EEXIST is fine (libseccomp-golang).
            let r = seccomp_arch_add(ctx, token)
            if r < 0 && r != -EEXIST { throw fail(".architectures[\(i)]", "adding \(arch): \(reason(r))") }
        }
    }

    /// seccomp(2)'s flags for `linux.seccomp.flags`, each checked against the kernel.
    private static func filterFlags(_ named: [String]?) throws(SpecError) -> UInt32 {
        // runc's default when flags is absent (not when it is []).
        guard let named else { return flagSupported(ROOST_SECCOMP_FILTER_FLAG_SPEC_ALLOW) ? ROOST_SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0 }
        var flags: UInt32 = 0
        for (i, flag) in named.enumerated() {
            let bit: UInt32
            switch flag {
            // runc: the filter is loaded by one thread before exec; nothing to synchronize.
            case "SECCOMP_FILTER_FLAG_TSYNC": continue
            case "SECCOMP_FILTER_FLAG_LOG": bit = ROOST_SECCOMP_FILTER_FLAG_LOG
            case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": bit = ROOST_SECCOMP_FILTER_FLAG_SPEC_ALLOW
            case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": bit = ROOST_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
            default: throw fail(".flags[\(i)]", "unknown seccomp flag \"\(flag)\"")
            }
            if !flagSupported(bit) { throw fail(".flags[\(i)]", "\(flag) is not supported by this kernel") }
            flags |= bit
        }
        return flags
    }

    /// One `linux.seccomp.syscalls` entry as libseccomp rules, one per name it resolves (runc's
    /// matchCall); names this kernel lacks go to `ignored`.
    private static func addRule(
        _ call: Spec.Syscall, at path: String, to ctx: scmp_filter_ctx, defaultAction: UInt32,
        ignored: inout [String], notifies: inout Bool
    ) throws(SpecError) {
        guard let act = action(call.action, call.errnoRet) else { throw fail(path + ".action", "unknown seccomp action \"\(call.action)\"") }
        var conditions: [scmp_arg_cmp] = []
        var perIndex = [Int](repeating: 0, count: 6)
        for (k, arg) in (call.args ?? []).enumerated() {
            guard arg.index < 6 else { throw fail(path + ".args[\(k)].index", "must be between 0 and 5") }
            guard let op = operators[arg.op] else { throw fail(path + ".args[\(k)].op", "unknown seccomp operator \"\(arg.op)\"") }
            perIndex[Int(arg.index)] += 1
            // libseccomp-golang's MakeCondition: for MASKED_EQ `value` is the mask and
            // `valueTwo` the value compared with; other operators ignore datum_b.
            conditions.append(scmp_arg_cmp(arg: UInt32(arg.index), op: op, datum_a: arg.value, datum_b: arg.valueTwo ?? 0))
        }
        for (j, name) in call.names.enumerated() {
            if name.isEmpty { throw fail(path + ".names[\(j)]", "empty string is not a valid syscall") }
            if call.action == "SCMP_ACT_NOTIFY" && name == "write" {
                throw fail(path + ".names[\(j)]", "SCMP_ACT_NOTIFY cannot be used for the write syscall")
            }
            // runc: a rule that only restates the default is skipped.
            if act == defaultAction { continue }
            // runc: a name libseccomp cannot resolve is a syscall this kernel lacks; ignored.
            let nr = seccomp_syscall_resolve_name(name)
            if nr == __NR_SCMP_ERROR {
                ignored.append(name)
                continue
            }
            notifies = notifies || call.action == "SCMP_ACT_NOTIFY"
            var r: Int32
            if conditions.isEmpty {
                r = seccomp_rule_add_array(ctx, act, nr, 0, nil)
            } else if perIndex.contains(where: { $0 > 1 }) {
                // runc: an argument compared more than once makes each condition its own rule.
                r = 0
                for var c in conditions where r == 0 { r = seccomp_rule_add_array(ctx, act, nr, 1, &c) }
            } else {
                r = seccomp_rule_add_array(ctx, act, nr, UInt32(conditions.count), conditions)
            }
            if r < 0 { throw fail(path + ".names[\(j)]", "adding the seccomp rule for \(name): \(reason(r))") }
        }
    }

    /// The filter as libseccomp generates it, read back from a memfd.
    private static func export(_ ctx: scmp_filter_ctx) throws(SpecError) -> [UInt8] {
        let fd = roost_memfd("roost-seccomp")
        if fd < 0 { throw SpecError(path: "linux.seccomp", problem: "memfd_create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let r = seccomp_export_bpf(ctx, fd)
        if r < 0 { throw SpecError(path: "linux.seccomp", problem: "libseccomp could not generate the filter: \(String(cString: strerror(-r)))") }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0, size % 8 == 0 else { throw SpecError(path: "linux.seccomp", problem: "libseccomp generated a filter of \(size) bytes") }
        var out = [UInt8](repeating: 0, count: size)
        let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        if got != size { throw SpecError(path: "linux.seccomp", problem: "reading the generated filter: \(String(cString: strerror(errno)))") }
        return out
    }

    private static func flagSupported(_ bit: UInt32) -> Bool {
        // The kernel refuses WAIT_KILLABLE_RECV without NEW_LISTENER before it looks further.
        let probe = bit == ROOST_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? bit | ROOST_SECCOMP_FILTER_FLAG_NEW_LISTENER : bit
        return roost_seccomp_flag_supported(probe) != 0
    }

    /// runc's getAction: KILL is KILL_THREAD; ERRNO and TRACE return errnoRet, EPERM without it
    /// (the low 16 bits, as libseccomp-golang's int16 return code).
    static func action(_ name: String, _ errnoRet: UInt?) -> UInt32? {
        let ret = UInt32(truncatingIfNeeded: errnoRet ?? UInt(EPERM)) & 0xffff
        switch name {
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0x0000_0000
        case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
        case "SCMP_ACT_TRAP": return 0x0003_0000
        case "SCMP_ACT_ERRNO": return 0x0005_0000 | ret
        case "SCMP_ACT_TRACE": return 0x7ff0_0000 | ret
        case "SCMP_ACT_LOG": return 0x7ffc_0000
        case "SCMP_ACT_ALLOW": return 0x7fff_0000
        case "SCMP_ACT_NOTIFY": return 0x7fc0_0000
        default: return nil
        }
    }

    static let operators: [String: scmp_compare] = [
        "SCMP_CMP_NE": SCMP_CMP_NE, "SCMP_CMP_LT": SCMP_CMP_LT, "SCMP_CMP_LE": SCMP_CMP_LE, "SCMP_CMP_EQ": SCMP_CMP_EQ,
        "SCMP_CMP_GE": SCMP_CMP_GE, "SCMP_CMP_GT": SCMP_CMP_GT, "SCMP_CMP_MASKED_EQ": SCMP_CMP_MASKED_EQ,
    ]

    /// The spec's names to libseccomp's (seccomp_arch_resolve_name); runc's table goes through
    /// libseccomp-golang's names ("amd64", "arm64", "loong64") to the same tokens.
    static let libseccompArchitectures: [String: String] = [
        "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X32": "x32", "SCMP_ARCH_ARM": "arm",
        "SCMP_ARCH_AARCH64": "aarch64", "SCMP_ARCH_MIPS": "mips", "SCMP_ARCH_MIPS64": "mips64",
        "SCMP_ARCH_MIPS64N32": "mips64n32", "SCMP_ARCH_MIPSEL": "mipsel", "SCMP_ARCH_MIPSEL64": "mipsel64",
        "SCMP_ARCH_MIPSEL64N32": "mipsel64n32", "SCMP_ARCH_PPC": "ppc", "SCMP_ARCH_PPC64": "ppc64",
        "SCMP_ARCH_PPC64LE": "ppc64le", "SCMP_ARCH_RISCV64": "riscv64", "SCMP_ARCH_S390": "s390",
        "SCMP_ARCH_S390X": "s390x", "SCMP_ARCH_LOONGARCH64": "loongarch64",
    ]

    public static var libseccompVersion: String {
        guard let v = seccomp_version() else { return "?" }
        return "\(v.pointee.major).\(v.pointee.minor).\(v.pointee.micro)"
    }
}
