import Glibc
import RoostLinux
import RoostSeccomp
import RoostSpec

// linux.seccomp at run time. The profile is compiled to BPF in roost's parent before clone
// (ContainerPlan.planProcess: RoostSeccomp's SeccompCompiler, through its SeccompCache) and kept
// in the state directory (StateDirectory.writeSeccomp: seccomp.bpf) for `exec`; the child only
// loads it (here, through RoostLinux's one seccomp(2) call in SeccompFilter.load), at runc's
// points (standard_init_linux.go, setns_init_linux.go):
//  - without no_new_privs, loading needs CAP_SYS_ADMIN: before switchUser drops capabilities;
//  - with no_new_privs, as late as possible, so few of roost's syscalls run under the filter:
//    after prepare (after the PR_SET_NO_NEW_PRIVS prctl), before init reports `created` and
//    waits on the fifo / before exec's execve.
// With SCMP_ACT_NOTIFY rules the load gives a listener fd; the child sends it to roost over the
// sync socket and roost hands it to the agent at listenerPath (IO/SeccompAgent.swift, runc's
// sendContainerProcessState).

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
