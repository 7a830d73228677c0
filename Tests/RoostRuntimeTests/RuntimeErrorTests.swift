import Glibc
import RoostCgroups
import RoostLinux
@testable import RoostRuntime
import RoostSpec
import Testing

/// Errors stay values of their own type up to the CLI, which renders them as one line.
@Suite struct RuntimeErrorTests {
    @Test func aMixedCatchKeepsEachErrorsType() {
        let call = SyscallError("mount", "/proc", errno: EPERM)
        guard case .syscall(let e) = RuntimeError(call, stage: "create") else { Issue.record("not .syscall"); return }
        #expect(e.errno == EPERM && e.description == call.description)

        let cgroup = CgroupError(path: "linux.resources.pids.limit", problem: "no")
        guard case .cgroup(let c) = RuntimeError(cgroup, stage: "create") else { Issue.record("not .cgroup"); return }
        #expect(c.path == "linux.resources.pids.limit")

        let hook = HookFailure(kind: "prestart", index: 0, path: "/bin/false", problem: "exit status 1")
        guard case .hook(let stage, _) = RuntimeError(hook, stage: "create") else { Issue.record("not .hook"); return }
        #expect(stage == "create")

        let already = RuntimeError.notFound("x")
        guard case .notFound("x") = RuntimeError(already, stage: "create") else { Issue.record("rewrapped"); return }
    }

    @Test func aRefusedConfigValueNamesItsPathAndTheCall() {
        let e = RuntimeError.config(path: "linux.gidMappings", problem: "the kernel refused the map",
                                    cause: SyscallError("write", "/proc/7/gid_map", errno: EPERM))
        #expect(e.description == "config.json: linux.gidMappings: the kernel refused the map: \(SyscallError("write", "/proc/7/gid_map", errno: EPERM))")
        guard case .config(_, _, _, let cause?) = e else { Issue.record("no cause"); return }
        #expect(cause.errno == EPERM)
        #expect(RuntimeError.config(path: "a.b", problem: "bad").description == "config.json: a.b: bad")
    }
}
