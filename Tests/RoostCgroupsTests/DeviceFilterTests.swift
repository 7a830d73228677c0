import Glibc
import RoostLinux
import RoostSpec
import Testing
@testable import RoostCgroups

/// Runs a device program the way the kernel would for one access: r1 points at
/// bpf_cgroup_dev_ctx { access_type = type | access << 16, major, minor }. Knows exactly the
/// operations DeviceFilter emits; anything else fails the test.
func run(_ program: [BPFInstruction], type: Int32, major: UInt32, minor: UInt32, access: DeviceAccess) -> UInt64? {
    let ctx: [UInt32] = [UInt32(type) | (access.rawValue << 16), major, minor]
    var r = [UInt64](repeating: 0, count: 11)
    r[1] = 0x1000  // the context's address
    var pc = 0
    for _ in 0..<10_000 {
        guard program.indices.contains(pc) else { Issue.record("pc \(pc) outside the program"); return nil }
        let i = program[pc]
        let dst = Int(i.dst), src = Int(i.src)
        let imm64 = UInt64(bitPattern: Int64(i.imm))
        pc += 1
        switch i.code {
        case BPFInstruction.loadWord:
            let address = Int64(bitPattern: r[src]) + Int64(i.offset)
            guard r[src] == 0x1000, address >= 0x1000, (address - 0x1000) % 4 == 0, (address - 0x1000) / 4 < 3 else {
                Issue.record("load outside the context at \(pc - 1)")
                return nil
            }
            r[dst] = UInt64(ctx[Int(address - 0x1000) / 4])
        case BPFInstruction.andImm32: r[dst] = UInt64(UInt32(truncatingIfNeeded: r[dst]) & UInt32(bitPattern: i.imm))
        case BPFInstruction.rshImm32: r[dst] = UInt64(UInt32(truncatingIfNeeded: r[dst]) >> UInt32(i.imm))
        case BPFInstruction.movImm32: r[dst] = UInt64(UInt32(bitPattern: i.imm))
        case BPFInstruction.movReg32: r[dst] = UInt64(UInt32(truncatingIfNeeded: r[src]))
        case BPFInstruction.jneImm: if r[dst] != imm64 { pc += Int(i.offset) }
        case BPFInstruction.jeqImm: if r[dst] == imm64 { pc += Int(i.offset) }
        case BPFInstruction.jneReg: if r[dst] != r[src] { pc += Int(i.offset) }
        case BPFInstruction.exit: return r[0]
        default:
            Issue.record("unknown opcode \(i.code)")
            return nil
        }
    }
    Issue.record("no exit")
    return nil
}

struct Probe: Sendable, CustomStringConvertible {
    let type: Character
    let major: UInt32
    let minor: UInt32
    let access: DeviceAccess
    let allowed: Bool
    init(_ type: Character, _ major: UInt32, _ minor: UInt32, _ access: String, _ allowed: Bool) {
        self.type = type
        self.major = major
        self.minor = minor
        self.access = DeviceAccess(access)
        self.allowed = allowed
    }
    var description: String { "\(type) \(major):\(minor) \(access.text) → \(allowed ? "allow" : "deny")" }
}

struct PolicyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let rules: [Spec.DeviceCgroup]
    let devices: [Spec.Device]
    let probes: [Probe]
    var testDescription: String { name }
}

private let denyAll = Spec.DeviceCgroup(allow: false, access: "rwm")

@Suite struct DeviceFilterTests {
    @Test(arguments: [
        PolicyCase(name: "runc's defaults after deny-all", rules: [denyAll], devices: [], probes: [
            Probe("c", 1, 3, "r", true), Probe("c", 1, 3, "rw", true), Probe("c", 1, 3, "m", true),  // null
            Probe("c", 1, 1, "r", false), Probe("c", 1, 1, "m", true),  // mem: mknod only (c *:* m)
            Probe("b", 8, 0, "r", false), Probe("b", 8, 0, "m", true), Probe("b", 8, 0, "rm", false),
            Probe("c", 136, 5, "rw", true), Probe("c", 5, 2, "rw", true), Probe("c", 10, 200, "rw", true),
            Probe("c", 10, 229, "r", false), Probe("c", 5, 1, "w", false), Probe("c", 1, 11, "r", false),
        ]),
        PolicyCase(name: "allow-all (privileged)", rules: [.init(allow: true, access: "rwm")], devices: [], probes: [
            Probe("c", 1, 1, "rw", true), Probe("b", 8, 0, "rwm", true), Probe("c", 4095, 1_048_575, "r", true),
        ]),
        PolicyCase(name: "allow-all with a deny exception", rules: [
            .init(allow: true, access: "rwm"), .init(allow: false, type: "b", major: 8, minor: nil, access: "w"),
        ], devices: [], probes: [
            Probe("b", 8, 0, "r", true), Probe("b", 8, 0, "w", false), Probe("b", 8, 16, "rw", false), Probe("b", 9, 0, "w", true),
            Probe("c", 8, 0, "w", true),
        ]),
        PolicyCase(name: "later rules add and remove access", rules: [
            denyAll, .init(allow: true, type: "c", major: 10, minor: 229, access: "r"),
            .init(allow: true, type: "c", major: 10, minor: 229, access: "w"),
            .init(allow: true, type: "c", major: 10, minor: 230, access: "rw"),
            .init(allow: false, type: "c", major: 10, minor: 230, access: "w"),
        ], devices: [], probes: [
            Probe("c", 10, 229, "rw", true), Probe("c", 10, 230, "r", true), Probe("c", 10, 230, "w", false),
            Probe("c", 10, 230, "rw", false),
        ]),
        PolicyCase(name: "a later deny-all resets earlier allows", rules: [
            .init(allow: true, type: "c", major: 10, minor: 229, access: "rwm"), denyAll,
        ], devices: [], probes: [Probe("c", 10, 229, "r", false), Probe("c", 1, 3, "r", true)]),
        PolicyCase(name: "each rule must cover the whole request", rules: [
            denyAll, .init(allow: true, type: "c", major: 10, minor: 229, access: "r"),
            .init(allow: true, type: "c", major: nil, minor: nil, access: "w"),
        ], devices: [], probes: [
            Probe("c", 10, 229, "r", true), Probe("c", 10, 229, "w", true), Probe("c", 10, 229, "rw", false),
        ]),
        // matches runc's specconv: a node gets no rule of its own, and one that takes over a
        // default's path (/dev/zero here) drops that default.
        PolicyCase(name: "linux.devices nodes need a rule of their own", rules: [denyAll], devices: [
            .init(path: "/dev/fuse", type: "c", major: 10, minor: 229), .init(path: "/dev/zero", type: "c", major: 1, minor: 5),
        ], probes: [
            Probe("c", 10, 229, "rw", false), Probe("c", 1, 5, "r", false), Probe("c", 1, 3, "rw", true),
            Probe("c", 10, 229, "m", true),
        ]),
        PolicyCase(name: "wildcard minor and major", rules: [
            denyAll, .init(allow: true, type: "b", major: 7, minor: nil, access: "r"),
            .init(allow: true, type: "c", major: -1, minor: 42, access: "rw"),
        ], devices: [], probes: [
            Probe("b", 7, 0, "r", true), Probe("b", 7, 123_456, "r", true), Probe("b", 7, 0, "w", false),
            Probe("c", 7, 0, "r", false), Probe("c", 200, 42, "rw", true), Probe("b", 200, 42, "r", false),
        ]),
    ])
    func semantics(c: PolicyCase) throws {
        let policy = try DevicePolicy(DeviceRule.forContainer(c.rules, c.devices))
        let program = DeviceFilter.program(policy)
        for p in c.probes {
            let type = p.type == "b" ? DeviceFilter.blockType : DeviceFilter.charType
            let verdict = run(program, type: type, major: p.major, minor: p.minor, access: p.access)
            #expect(verdict == (p.allowed ? 1 : 0), "program: \(p)")
            #expect(policy.allows(type: p.type, major: Int64(p.major), minor: Int64(p.minor), access: p.access) == p.allowed, "policy: \(p)")
        }
    }

    /// The program and the policy it came from agree on every combination of a grid of
    /// devices and accesses.
    @Test(arguments: [
        // deny-all with allow exceptions
        [denyAll, .init(allow: true, type: "b", major: 8, minor: nil, access: "rw"), .init(allow: true, type: "c", major: nil, minor: 3, access: "r")],
        // allow-all with deny exceptions
        [.init(allow: true, access: "rwm"), .init(allow: false, type: "b", major: 8, minor: nil, access: "w"),
         .init(allow: false, type: "c", major: nil, minor: 4, access: "rm"), .init(allow: false, type: "c", major: 5, minor: 5, access: "rwm")],
    ] as [[Spec.DeviceCgroup]])
    func programMatchesPolicyOnAGrid(rules: [Spec.DeviceCgroup]) throws {
        let policy = try DevicePolicy(DeviceRule.forContainer(rules, [.init(path: "/dev/x", type: "c", major: 7, minor: 7)]))
        let program = DeviceFilter.program(policy)
        let accesses = (1...7).map { DeviceAccess(rawValue: UInt32($0)) }
        var checked = 0
        for type in ["b", "c"] as [Character] {
            for major in [0, 1, 3, 5, 7, 8, 10, 136] as [UInt32] {
                for minor in [0, 1, 3, 4, 5, 7, 8, 200] as [UInt32] {  // hits c 5:5, c 7:7, b 8:*, c *:3, c *:4
                    for access in accesses {
                        let got = run(program, type: type == "b" ? 1 : 2, major: major, minor: minor, access: access)
                        let want = policy.allows(type: type, major: Int64(major), minor: Int64(minor), access: access)
                        #expect(got == (want ? 1 : 0), "\(type) \(major):\(minor) \(access.text)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == 2 * 8 * 8 * 7)
    }

    /// runc refuses to take part of a wildcard exception away (v1 would silently ignore it).
    @Test func punchingAHoleInAWildcardIsRefused() {
        do throws(CgroupError) {
            _ = try DevicePolicy(DeviceRule.forContainer([
                denyAll, .init(allow: true, type: "c", major: nil, minor: nil, access: "rwm"),
                .init(allow: false, type: "c", major: 1, minor: 3, access: "w"),
            ], []))
            Issue.record("no error")
        } catch {
            #expect(error.description == "config.json: linux.resources.devices[2]: cannot deny c 1:3 w inside the wider rule c *:* rwm (cgroup v1 would ignore it)")
        }
    }

    /// runc's Permissions.toSet: letters other than r, w and m do not count, and a rule left
    /// with none of them changes nothing.
    @Test func otherAccessLettersAreIgnored() throws {
        let deny = Spec.DeviceCgroup(allow: false, access: "rwm")
        let rw = try DevicePolicy(DeviceRule.forContainer([deny, Spec.DeviceCgroup(allow: false, type: "c", major: 1, minor: 11, access: "rw")], []))
        let rwa = try DevicePolicy(DeviceRule.forContainer([deny, Spec.DeviceCgroup(allow: false, type: "c", major: 1, minor: 11, access: "rwa")], []))
        #expect(DeviceFilter.program(rwa) == DeviceFilter.program(rw))
        let none = try DevicePolicy(DeviceRule.forContainer([deny, Spec.DeviceCgroup(allow: true, type: "c", major: 1, minor: 11, access: "xyz")], []))
        #expect(DeviceFilter.program(none) == DeviceFilter.program(try DevicePolicy(DeviceRule.forContainer([deny], []))))
        #expect(DeviceRule.forContainer([Spec.DeviceCgroup(allow: false, type: "c", major: 1, minor: 11, access: "rwa")], []).first?.v1Text == "c 1:11 rw")
    }

    @Test func badRulesNameTheirPath() {
        for (rule, message) in [
            (Spec.DeviceCgroup(allow: true, type: "x", access: "r"), "config.json: linux.resources.devices[0].type: invalid device type \"x\" (expected a, b or c)"),
            (Spec.DeviceCgroup(allow: true, type: "c", major: 1 << 33, access: "r"), "config.json: linux.resources.devices[0].major: 8589934592 is out of range"),
        ] {
            do throws(CgroupError) {
                _ = try DevicePolicy(DeviceRule.forContainer([rule], []))
                Issue.record("no error for \(rule)")
            } catch {
                #expect(error.description == message)
            }
        }
    }

    /// The layout: six loads first, one block per exception in runc's order (major, minor,
    /// type), jumps only forward and inside the program, and the default verdict last.
    @Test func layout() throws {
        let policy = try DevicePolicy(DeviceRule.forContainer([denyAll], []))
        let p = DeviceFilter.program(policy)
        #expect(p.prefix(6).map(\.description) == [
            "r2 = *(u32 *)(r1 + 0)", "w2 &= 65535", "r3 = *(u32 *)(r1 + 0)", "w3 >>= 16", "r4 = *(u32 *)(r1 + 4)", "r5 = *(u32 *)(r1 + 8)",
        ])
        #expect(p.suffix(2).map(\.description) == ["w0 = 0", "exit"])
        for (i, insn) in p.enumerated() where [BPFInstruction.jneImm, BPFInstruction.jneReg, BPFInstruction.jeqImm].contains(insn.code) {
            #expect(insn.offset > 0 && i + 1 + Int(insn.offset) < p.count, "jump at \(i)")
        }
        // Wildcard-major exceptions (the two mknod rules) sort first, b before c.
        #expect(policy.sortedExceptions.prefix(2).map { "\($0.0.text) \($0.1.text)" } == ["b *:* m", "c *:* m"])
        // c 1:3 rwm: type, major, minor checks and no access check, then allow.
        let block = ["if r2 != 2 goto +4", "if r4 != 1 goto +3", "if r5 != 3 goto +2", "w0 = 1", "exit"]
        #expect(p.map(\.description).indices.contains { i in Array(p[i..<min(i + 5, p.count)].map(\.description)) == block })
        // Encoding: little-endian, registers dst | src << 4.
        #expect(BPFInstruction(code: 0x5d, dst: 1, src: 3, offset: 2, imm: 0).bytes == [0x5d, 0x31, 2, 0, 0, 0, 0, 0])
        #expect(BPFInstruction(code: 0x55, dst: 4, offset: -1, imm: -2).bytes == [0x55, 0x04, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff])
    }

    @Test func v1RulesAreUnchanged() {
        let rules = DeviceRule.forContainer([denyAll, .init(allow: true, type: "c", major: 1, minor: -1, access: "rw")],
                                            [.init(path: "/dev/fuse", type: "u", major: 10, minor: 229), .init(path: "/dev/p", type: "p")])
        #expect(rules.map { "\($0.allow ? "allow" : "deny") \($0.v1Text) @\($0.jsonPath)" } == [
            "deny a @linux.resources.devices[0]", "allow c 1:* rw @linux.resources.devices[1]",
            "allow c *:* m @linux.resources.devices", "allow b *:* m @linux.resources.devices",
            "allow c 1:3 rwm @linux.resources.devices", "allow c 1:8 rwm @linux.resources.devices",
            "allow c 1:7 rwm @linux.resources.devices", "allow c 5:0 rwm @linux.resources.devices",
            "allow c 1:5 rwm @linux.resources.devices", "allow c 1:9 rwm @linux.resources.devices",
            "allow c 136:* rwm @linux.resources.devices", "allow c 5:2 rwm @linux.resources.devices",
            "allow c 10:200 rwm @linux.resources.devices",
        ])
    }
}
