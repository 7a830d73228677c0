import Glibc
@testable import RoostSeccomp
import RoostSpec
import Testing

/// Runs a classic BPF seccomp program (the subset libseccomp and the stub emit) on one
/// syscall: its architecture and number; returns the action.
func runFilter(_ program: [UInt8], arch: UInt32, nr: UInt32) -> UInt32? {
    var pc = 0, a: UInt32 = 0
    let count = program.count / 8
    while pc < count {
        let b = Array(program[(pc * 8)..<(pc * 8 + 8)])
        let code = UInt16(b[0]) | UInt16(b[1]) << 8, jt = Int(b[2]), jf = Int(b[3])
        let k = UInt32(b[4]) | UInt32(b[5]) << 8 | UInt32(b[6]) << 16 | UInt32(b[7]) << 24
        pc += 1
        switch code {
        case 0x20: a = k == 0 ? nr : k == 4 ? arch : 0  // ld [k]: nr, arch; args and ip are 0 here
        case 0x15: pc += a == k ? jt : jf
        case 0x25: pc += a > k ? jt : jf
        case 0x35: pc += a >= k ? jt : jf
        case 0x45: pc += a & k != 0 ? jt : jf
        case 0x05: pc += Int(k)
        case 0x54: a &= k  // and k
        case 0x06: return k
        default: Issue.record("unexpected BPF op 0x\(String(code, radix: 16))"); return nil
        }
    }
    return nil
}

@Suite struct EnosysStubTests {
    let x86_64: UInt32 = 0xc000_003e, i386: UInt32 = 0x4000_0003
    let enosys: UInt32 = 0x0005_0026, eperm: UInt32 = 0x0005_0001, allow: UInt32 = 0x7fff_0000

    func filter(_ s: Spec.Seccomp) throws -> [UInt8] { try #require(try SeccompCompiler.compile(s)).filter.program }

    @Test("errno by default: a syscall past the profile's last gets ENOSYS, one it names its action, one it leaves out the default")
    func errnoDefault() throws {
        let s = Spec.Seccomp(defaultAction: "SCMP_ACT_ERRNO", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], flags: [],
                             syscalls: [Spec.Syscall(names: ["read", "write", "openat"], action: "SCMP_ACT_ALLOW")])
        let p = try filter(s)
        #expect(runFilter(p, arch: x86_64, nr: 1000) == enosys)  // past openat (257)
        #expect(runFilter(p, arch: x86_64, nr: 0) == allow)  // read
        #expect(runFilter(p, arch: x86_64, nr: 257) == allow)  // openat, the last
        #expect(runFilter(p, arch: x86_64, nr: 100) == eperm)  // below the last, not named
        #expect(runFilter(p, arch: i386, nr: 1000) == enosys)  // past i386's openat (295)
        #expect(runFilter(p, arch: i386, nr: 3) == allow)  // i386's read
        // x32: bit 30 set, measured against x32's numbers.
        #expect(runFilter(p, arch: x86_64, nr: 0x4000_0000 | 1000) == enosys)
        #expect(runFilter(p, arch: x86_64, nr: 0x4000_0000 | 100) == eperm)
    }

    @Test("no stub where runc puts none: a permissive default, or no known name")
    func none() throws {
        for (action, value) in [("SCMP_ACT_ALLOW", allow), ("SCMP_ACT_LOG", UInt32(0x7ffc_0000))] {
            let s = Spec.Seccomp(defaultAction: action, flags: [], syscalls: [Spec.Syscall(names: ["mkdir"], action: "SCMP_ACT_ERRNO")])
            #expect(EnosysStub.program(for: s).isEmpty, "\(action)")
            #expect(runFilter(try filter(s), arch: x86_64, nr: 1000) == value, "\(action)")
        }
        let unknown = Spec.Seccomp(defaultAction: "SCMP_ACT_ERRNO", flags: [], syscalls: [Spec.Syscall(names: ["no_such_call"], action: "SCMP_ACT_ALLOW")])
        #expect(EnosysStub.program(for: unknown).isEmpty)
    }

    @Test("only the native architecture when the profile names none")
    func nativeOnly() throws {
        // (read alone would be number 0, which runc, and roost, take for "none found".)
        let s = Spec.Seccomp(defaultAction: "SCMP_ACT_KILL", flags: [], syscalls: [Spec.Syscall(names: ["read", "write"], action: "SCMP_ACT_ALLOW")])
        let p = try filter(s)
        #expect(runFilter(p, arch: x86_64, nr: 1000) == enosys)
        #expect(runFilter(p, arch: x86_64, nr: 0) == allow)
    }
}
