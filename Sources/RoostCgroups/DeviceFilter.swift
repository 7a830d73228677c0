import CRoostShim
import Glibc
import RoostLinux

/// One eBPF instruction (struct bpf_insn): opcode, destination and source registers, a jump
/// offset and an immediate. Only the handful of operations the device filter needs.
public struct BPFInstruction: Sendable, Equatable, CustomStringConvertible {
    public var code: UInt8
    public var dst: UInt8
    public var src: UInt8
    public var offset: Int16
    public var imm: Int32

    public init(code: UInt8, dst: UInt8 = 0, src: UInt8 = 0, offset: Int16 = 0, imm: Int32 = 0) {
        self.code = code
        self.dst = dst
        self.src = src
        self.offset = offset
        self.imm = imm
    }

    // Opcodes: class | operation | source (linux/bpf_common.h, linux/bpf.h).
    /// dst = *(u32 *)(src + offset)   (BPF_LDX | BPF_MEM | BPF_W)
    public static let loadWord: UInt8 = 0x61
    /// dst32 &= imm                   (BPF_ALU | BPF_AND | BPF_K)
    public static let andImm32: UInt8 = 0x54
    /// dst32 >>= imm                  (BPF_ALU | BPF_RSH | BPF_K)
    public static let rshImm32: UInt8 = 0x74
    /// dst32 = imm                    (BPF_ALU | BPF_MOV | BPF_K)
    public static let movImm32: UInt8 = 0xb4
    /// dst32 = src32                  (BPF_ALU | BPF_MOV | BPF_X)
    public static let movReg32: UInt8 = 0xbc
    /// if dst != imm goto +offset     (BPF_JMP | BPF_JNE | BPF_K)
    public static let jneImm: UInt8 = 0x55
    /// if dst == imm goto +offset     (BPF_JMP | BPF_JEQ | BPF_K)
    public static let jeqImm: UInt8 = 0x15
    /// if dst != src goto +offset     (BPF_JMP | BPF_JNE | BPF_X)
    public static let jneReg: UInt8 = 0x5d
    /// return r0                      (BPF_JMP | BPF_EXIT)
    public static let exit: UInt8 = 0x95

    static func load(_ dst: UInt8, _ src: UInt8, _ offset: Int16) -> Self { .init(code: loadWord, dst: dst, src: src, offset: offset) }
    static func and(_ dst: UInt8, _ imm: Int32) -> Self { .init(code: andImm32, dst: dst, imm: imm) }
    static func rsh(_ dst: UInt8, _ imm: Int32) -> Self { .init(code: rshImm32, dst: dst, imm: imm) }
    static func mov(_ dst: UInt8, _ imm: Int32) -> Self { .init(code: movImm32, dst: dst, imm: imm) }
    static func movReg(_ dst: UInt8, _ src: UInt8) -> Self { .init(code: movReg32, dst: dst, src: src) }
    static func jne(_ dst: UInt8, _ imm: Int32, _ offset: Int) -> Self { .init(code: jneImm, dst: dst, offset: Int16(offset), imm: imm) }
    static func jeq(_ dst: UInt8, _ imm: Int32, _ offset: Int) -> Self { .init(code: jeqImm, dst: dst, offset: Int16(offset), imm: imm) }
    static func jneReg(_ dst: UInt8, _ src: UInt8, _ offset: Int) -> Self { .init(code: jneReg, dst: dst, src: src, offset: Int16(offset)) }
    static var ret: Self { .init(code: exit) }

    /// The 8 bytes the kernel reads (little-endian, registers packed dst | src << 4).
    public var bytes: [UInt8] {
        let off = UInt16(bitPattern: offset)
        let i = UInt32(bitPattern: imm)
        return [code, (dst & 0xf) | (src << 4), UInt8(off & 0xff), UInt8(off >> 8),
                UInt8(i & 0xff), UInt8((i >> 8) & 0xff), UInt8((i >> 16) & 0xff), UInt8(i >> 24)]
    }

    public var description: String {
        switch code {
        case Self.loadWord: return "r\(dst) = *(u32 *)(r\(src) + \(offset))"
        case Self.andImm32: return "w\(dst) &= \(imm)"
        case Self.rshImm32: return "w\(dst) >>= \(imm)"
        case Self.movImm32: return "w\(dst) = \(imm)"
        case Self.movReg32: return "w\(dst) = w\(src)"
        case Self.jneImm: return "if r\(dst) != \(imm) goto +\(offset)"
        case Self.jeqImm: return "if r\(dst) == \(imm) goto +\(offset)"
        case Self.jneReg: return "if r\(dst) != r\(src) goto +\(offset)"
        case Self.exit: return "exit"
        default: return "op 0x\(String(code, radix: 16))"
        }
    }
}

/// The cgroup v2 device controller: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
/// container's cgroup, built from the same rules v1 writes to devices.allow/deny.
public enum DeviceFilter {
    /// runc's license string for its device filter (devicefilter.go).
    public static let license = "Apache"
    /// The kernel's BPF_DEVCG_DEV_* device types in bpf_cgroup_dev_ctx.access_type.
    public static let blockType: Int32 = 1
    public static let charType: Int32 = 2

    /// The program for `policy`. The kernel calls it with r1 pointing at struct
    /// bpf_cgroup_dev_ctx { u32 access_type (type | access << 16); u32 major; u32 minor }; it
    /// returns 1 to allow. Layout (as runc's): load type, access, major and minor into r2..r5;
    /// one block per exception, each skipping to the next block on any mismatch and otherwise
    /// returning the exception's verdict; then the default verdict.
    ///
    /// An allow exception (deny-all default) matches a request it wholly covers, as runc's. A
    /// deny exception (allow-all default) matches a request it covers any part of, as the v1
    /// controller does; runc asks for the whole request there too, which lets an O_RDWR open
    /// through a rule denying only "w". roost is stricter on purpose.
    public static func program(_ policy: DevicePolicy) -> [BPFInstruction] {
        var insns: [BPFInstruction] = [
            .load(2, 1, 0), .and(2, 0xffff),  // r2 = device type
            .load(3, 1, 0), .rsh(3, 16),  // r3 = requested access
            .load(4, 1, 4),  // r4 = major
            .load(5, 1, 8),  // r5 = minor
        ]
        let verdict: Int32 = policy.defaultAllow ? 0 : 1
        for (match, access) in policy.sortedExceptions {
            let checksAccess = access != .all
            let length = 1 + (checksAccess ? 3 : 0) + (match.major >= 0 ? 1 : 0) + (match.minor >= 0 ? 1 : 0) + 2
            let next = insns.count + length
            func skip() -> Int { next - (insns.count + 1) }
            insns.append(.jne(2, match.type == "b" ? blockType : charType, skip()))
            if checksAccess {
                insns.append(.movReg(1, 3))
                insns.append(.and(1, Int32(access.rawValue)))
                if policy.defaultAllow {
                    insns.append(.jeq(1, 0, skip()))  // no requested bit is denied here
                } else {
                    insns.append(.jneReg(1, 3, skip()))  // some requested bit is not allowed here
                }
            }
            if match.major >= 0 { insns.append(.jne(4, Int32(truncatingIfNeeded: match.major), skip())) }
            if match.minor >= 0 { insns.append(.jne(5, Int32(truncatingIfNeeded: match.minor), skip())) }
            insns.append(.mov(0, verdict))
            insns.append(.ret)
        }
        insns.append(.mov(0, policy.defaultAllow ? 1 : 0))
        insns.append(.ret)
        return insns
    }

    /// Loads `program` and attaches it to the cgroup directory `dir`, then detaches whatever
    /// device programs were attached before (an update replaces the old filter, as runc does;
    /// for the moment both are attached a device must pass both, so nothing is let through).
    public static func install(_ program: [BPFInstruction], on dir: String) throws(SyscallError) {
        let cgroup = try FileDescriptor.open(dir, O_DIRECTORY | O_RDONLY)
        let old = try attachedPrograms(cgroup.raw, dir)
        let prog = try load(program, for: dir)
        defer { close(prog) }
        try sys("bpf(BPF_PROG_ATTACH)", dir) { roost_bpf_attach_device_program(cgroup.raw, prog, ROOST_BPF_F_ALLOW_MULTI) }
        for id in old {
            let fd = roost_bpf_program_fd(id)
            // A program this process may not open (an LSM's) can only restrict further; runc skips it too.
            if fd < 0 && (errno == EPERM || errno == EACCES || errno == ENOENT) { continue }
            if fd < 0 { throw SyscallError("bpf(BPF_PROG_GET_FD_BY_ID)", "program \(id) on \(dir)") }
            defer { close(fd) }
            if roost_bpf_detach_device_program(cgroup.raw, fd) != 0 && errno != ENOENT {
                throw SyscallError("bpf(BPF_PROG_DETACH)", "old device program \(id) on \(dir)")
            }
        }
    }

    /// The ids of the device programs attached to the cgroup directory `dir`.
    public static func attachedPrograms(_ dir: String) throws(SyscallError) -> [UInt32] {
        let cgroup = try FileDescriptor.open(dir, O_DIRECTORY | O_RDONLY)
        return try attachedPrograms(cgroup.raw, dir)
    }

    static func attachedPrograms(_ fd: Int32, _ dir: String) throws(SyscallError) -> [UInt32] {
        var size = 64
        for _ in 0..<10 {
            var ids = [UInt32](repeating: 0, count: size)
            var count = UInt32(size)
            let r = ids.withUnsafeMutableBufferPointer { roost_bpf_query_device_programs(fd, $0.baseAddress, &count) }
            if r == 0 { return Array(ids.prefix(Int(count))) }
            if errno != ENOSPC { throw SyscallError("bpf(BPF_PROG_QUERY)", dir) }
            size = Int(count)
        }
        throw SyscallError("bpf(BPF_PROG_QUERY)", dir, errno: ENOSPC)
    }

    /// BPF_PROG_LOAD; on failure the verifier's log is loaded again into the error. Kernels
    /// before 5.11 charge programs to RLIMIT_MEMLOCK: on EPERM the limit is raised for the load
    /// alone (runc raises it for good) and put back.
    static func load(_ program: [BPFInstruction], for dir: String) throws(SyscallError) -> Int32 {
        let bytes = program.flatMap(\.bytes)
        func attempt(_ log: UnsafeMutablePointer<CChar>?, _ size: UInt32) -> Int32 {
            bytes.withUnsafeBytes { roost_bpf_load_device_program($0.baseAddress, UInt32(program.count), license, "roost_devices", log, size) }
        }
        var fd = attempt(nil, 0)
        if fd < 0 && errno == EPERM {
            var saved = rlimit()
            if getrlimit(RLIMIT_MEMLOCK_VALUE, &saved) == 0 {
                var unlimited = rlimit(rlim_cur: rlim_t.max, rlim_max: rlim_t.max)
                if setrlimit(RLIMIT_MEMLOCK_VALUE, &unlimited) == 0 {
                    fd = attempt(nil, 0)
                    let e = errno
                    setrlimit(RLIMIT_MEMLOCK_VALUE, &saved)
                    errno = e
                }
            }
        }
        if fd >= 0 { return fd }
        let e = errno
        let size = 1 << 16
        let log = UnsafeMutablePointer<CChar>.allocate(capacity: size)
        defer { log.deallocate() }
        let again = attempt(log, UInt32(size))
        if again >= 0 { return again }
        let text = String(cString: log).split(separator: "\n").suffix(4).joined(separator: " | ")
        throw SyscallError("bpf(BPF_PROG_LOAD)", "device filter for \(dir)" + (text.isEmpty ? "" : " (verifier: \(text))"), errno: e)
    }
}

/// RLIMIT_MEMLOCK (asm-generic/resource.h).
private let RLIMIT_MEMLOCK_VALUE = __rlimit_resource_t(8)
