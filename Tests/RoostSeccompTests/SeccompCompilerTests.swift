import RoostSeccomp
import RoostSpec
import Testing

@Suite("SeccompCompiler and the state directory's filter format")
struct SeccompCompilerTests {
    func compile(_ s: Spec.Seccomp) throws -> SeccompCompilation {
        try #require(try SeccompCompiler.compile(s))
    }

    @Test("no default action and no rules means no filter (runc)")
    func off() throws {
        #expect(try SeccompCompiler.compile(Spec.Seccomp(defaultAction: "")) == nil)
    }

    @Test("rules restating the default are skipped; unknown names are reported, not fatal")
    func skipped() throws {
        let plain = try compile(Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: []))
        let same = try compile(Spec.Seccomp(
            defaultAction: "SCMP_ACT_ALLOW", flags: [],
            syscalls: [Spec.Syscall(names: ["mkdir", "no_such_syscall"], action: "SCMP_ACT_ALLOW")]))
        #expect(same.filter.program == plain.filter.program)
        #expect(same.ignoredNames.isEmpty)  // skipped before the name is looked up, as runc
        let unknown = try compile(Spec.Seccomp(
            defaultAction: "SCMP_ACT_ALLOW", flags: [],
            syscalls: [Spec.Syscall(names: ["mkdir", "no_such_syscall"], action: "SCMP_ACT_ERRNO")]))
        #expect(unknown.ignoredNames == ["no_such_syscall"])
        #expect(unknown.filter.program != plain.filter.program)
        #expect(unknown.filter.flags == 0)
    }

    @Test("ERRNO without errnoRet is EPERM; KILL is KILL_THREAD")
    func defaults() throws {
        let eperm = try compile(Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [], syscalls: [Spec.Syscall(names: ["mkdir"], action: "SCMP_ACT_ERRNO")]))
        let one = try compile(Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [], syscalls: [Spec.Syscall(names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 1)]))
        #expect(eperm.filter.program == one.filter.program)
        let kill = try compile(Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [], syscalls: [Spec.Syscall(names: ["mkdir"], action: "SCMP_ACT_KILL")]))
        let thread = try compile(Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", flags: [], syscalls: [Spec.Syscall(names: ["mkdir"], action: "SCMP_ACT_KILL_THREAD")]))
        #expect(kill.filter.program == thread.filter.program)
    }

    @Test("notify sets NEW_LISTENER and keeps the listener's path and metadata")
    func notify() throws {
        let c = try compile(Spec.Seccomp(
            defaultAction: "SCMP_ACT_ALLOW", flags: [], listenerPath: "/run/agent.sock", listenerMetadata: "m",
            syscalls: [Spec.Syscall(names: ["mkdir"], action: "SCMP_ACT_NOTIFY")]))
        #expect(c.filter.hasListener)
        #expect(c.filter.listenerPath == "/run/agent.sock" && c.filter.listenerMetadata == "m")
    }

    @Test("seccomp.bpf round-trips, and anything else is refused")
    func serialized() throws {
        let c = try compile(Spec.Seccomp(
            defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 38, listenerPath: "/a", listenerMetadata: nil,
            syscalls: [Spec.Syscall(names: ["read", "write", "exit_group"], action: "SCMP_ACT_ALLOW")]))
        let bytes = c.filter.serialized
        #expect(SeccompFilter(serialized: bytes) == c.filter)
        #expect(SeccompFilter(serialized: Array(bytes.dropLast(3))) == nil)
        #expect(SeccompFilter(serialized: Array("RSCF".utf8)) == nil)
        #expect(SeccompFilter(serialized: []) == nil)
    }

    @Test("errors name the JSON path")
    func errors() throws {
        do {
            _ = try SeccompCompiler.compile(Spec.Seccomp(defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_VAX"]))
            Issue.record("compiled an unknown architecture")
        } catch {
            #expect(error.path == "linux.seccomp.architectures[1]")
        }
        do {
            _ = try SeccompCompiler.compile(Spec.Seccomp(
                defaultAction: "SCMP_ACT_ALLOW", syscalls: [Spec.Syscall(names: ["kill"], action: "SCMP_ACT_ERRNO", args: [Spec.SeccompArg(index: 6, value: 0, op: "SCMP_CMP_EQ")])]))
            Issue.record("compiled argument 6")
        } catch {
            #expect(error.path == "linux.seccomp.syscalls[0].args[0].index")
        }
    }
}
