import Glibc
import RoostLinux
import RoostSpec
import Testing
@testable import RoostCgroups

/// A cgroup2 mount on this host (a v2 host's /sys/fs/cgroup or a hybrid host's unified one).
func cgroup2Mount() -> String? {
    switch Cgroup.detect() {
    case .unified: return "/sys/fs/cgroup"
    case .hybrid: return "/sys/fs/cgroup/unified"
    case .legacy: return nil
    }
}

let kernelReady = getuid() == 0 && cgroup2Mount() != nil && !runningInUserNamespace()

/// Runs `script` under /bin/sh with `args`, stdout and stderr to a file; returns the exit
/// status and output. posix_spawn keeps this safe in the multithreaded test process.
func spawnShell(_ script: String, _ args: [String]) -> (Int32, String) {
    let out = temporaryDirectory()
    defer { removeRecursively(out) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, out + "/log", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = (["sh", "-c", script, "sh"] + args).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let r = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
    guard r == 0 else { return (-1, "posix_spawn: \(r)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return ((status >> 8) & 0xff, readFile(out + "/log") ?? "")
}

/// Opens /dev/null and a probe device before and after joining the cgroup. (`true`, not `:`:
/// a failed redirection on a special builtin would end the shell.)
let probeScript = """
    true </dev/null && echo before-null-ok
    true <"$2" && echo before-probe-ok
    echo $$ > "$1/cgroup.procs" || { echo join-failed; exit 1; }
    true </dev/null && echo after-null-ok
    true <"$2" && echo after-probe-ok
    exit 0
    """

@Suite(.serialized, .enabled(if: kernelReady, "needs root outside a user namespace and a cgroup2 mount"))
struct KernelDeviceFilterTests {
    /// A fresh cgroup under the cgroup2 mount, removed afterwards. Made with mkdir, not
    /// create(), which would enable the mount's controllers in its root: a host-wide change a
    /// test has no business making.
    func withCgroup(_ body: (CgroupV2) throws -> Void) throws {
        let root = cgroup2Mount()!
        let cg = CgroupV2(root: root, path: root + "/roost-test-devices-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try sys("mkdir", cg.path) { mkdir(cg.path, 0o755) }
        defer { cg.remove() }
        try body(cg)
    }

    /// The whole v2 path: deny-all config rules plus runc's defaults. /dev/null (a default)
    /// opens inside; /dev/kmsg (1:11, in no rule) gets EPERM, though it opened outside.
    @Test(.enabled(if: FileIO.exists("/dev/kmsg"), "no /dev/kmsg to probe"))
    func deniedDeviceGetsEPERM() throws {
        try withCgroup { cg in
            try cg.apply(Spec.Resources(devices: [.init(allow: false, access: "rwm")]), devices: [])
            #expect(try DeviceFilter.attachedPrograms(cg.path).count == 1)
            let (status, out) = spawnShell(probeScript, [cg.path, "/dev/kmsg"])
            #expect(status == 0, "\(out)")
            #expect(out.contains("before-null-ok") && out.contains("before-probe-ok"), "\(out)")
            #expect(out.contains("after-null-ok"), "\(out)")
            #expect(!out.contains("after-probe-ok"), "\(out)")
            #expect(out.contains("Operation not permitted"), "\(out)")
            #expect(cg.processes().isEmpty)
        }
    }

    /// An update replaces the program rather than stacking another (runc detaches the old),
    /// and the new rules take effect: allowing 1:11 lets the probe open.
    @Test(.enabled(if: FileIO.exists("/dev/kmsg"), "no /dev/kmsg to probe"))
    func updateReplacesTheProgram() throws {
        try withCgroup { cg in
            try cg.apply(Spec.Resources(devices: [.init(allow: false, access: "rwm")]), devices: [])
            let first = try DeviceFilter.attachedPrograms(cg.path)
            try cg.apply(Spec.Resources(devices: [
                .init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 11, access: "r"),
            ]), devices: [])
            let second = try DeviceFilter.attachedPrograms(cg.path)
            #expect(first.count == 1 && second.count == 1 && first != second, "\(first) then \(second)")
            let (_, out) = spawnShell(probeScript, [cg.path, "/dev/kmsg"])
            #expect(out.contains("after-probe-ok"), "\(out)")
        }
    }

    /// The low-level path with a minimal rule set: only /dev/null, so even /dev/full (a runc
    /// default) is refused.
    @Test func minimalProgram() throws {
        try withCgroup { cg in
            let policy = try DevicePolicy([
                DeviceRule(allow: false, type: "a", major: nil, minor: nil, access: "rwm", jsonPath: "t"),
                DeviceRule(allow: true, type: "c", major: 1, minor: 3, access: "rwm", jsonPath: "t"),
            ])
            try DeviceFilter.install(DeviceFilter.program(policy), on: cg.path)
            let (status, out) = spawnShell(probeScript, [cg.path, "/dev/full"])
            #expect(status == 0, "\(out)")
            #expect(out.contains("before-probe-ok") && out.contains("after-null-ok") && !out.contains("after-probe-ok"), "\(out)")
        }
    }

    /// The kernel's verifier accepts a program with every kind of block (access checks of both
    /// kinds, wildcards) — it rejects what it cannot prove safe, so a load is a real check.
    @Test func verifierAcceptsBothModes() throws {
        try withCgroup { cg in
            let denyMode = try DevicePolicy(DeviceRule.forContainer([
                .init(allow: false, access: "rwm"), .init(allow: true, type: "b", major: 8, minor: nil, access: "r"),
            ], []))
            try DeviceFilter.install(DeviceFilter.program(denyMode), on: cg.path)
            let allowMode = try DevicePolicy(DeviceRule.forContainer([
                .init(allow: true, access: "rwm"), .init(allow: false, type: "c", major: 1, minor: 11, access: "w"),
            ], []))
            try DeviceFilter.install(DeviceFilter.program(allowMode), on: cg.path)
            #expect(try DeviceFilter.attachedPrograms(cg.path).count == 1)
        }
    }
}

/// The rest of the driver on a real cgroup2 directory: placement, processes, the v2 freezer
/// and cgroup.kill (none of which need a controller, so a hybrid host's unified mount serves).
@Suite(.serialized, .enabled(if: kernelReady, "needs root outside a user namespace and a cgroup2 mount"))
struct KernelLifecycleTests {
    @Test func placeFreezeThawKill() throws {
        let root = cgroup2Mount()!
        let cg = CgroupV2(root: root, path: root + "/roost-test-life-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try sys("mkdir", cg.path) { mkdir(cg.path, 0o755) }
        defer { cg.remove() }

        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("sleep"), strdup("30"), nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ) == 0)
        var reaped = false
        defer { if !reaped { kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) } }

        try cg.place(pid)
        #expect(cg.processes() == [pid])
        guard cg.canFreeze else {
            print("skipping the freezer part: this kernel has no cgroup.freeze")
            return
        }
        #expect(cg.freezerState() == "THAWED")
        try cg.setFrozen(true)
        #expect(cg.freezerState() == "FROZEN")
        try cg.setFrozen(false)
        #expect(cg.freezerState() == "THAWED")

        let killed = try cg.killAll()
        if killed {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            reaped = true
            #expect(status & 0x7f == SIGKILL, "status \(status)")
        } else {
            print("no cgroup.kill on this kernel: killAll() said so")
        }
    }
}

@Suite struct OOMWatchTests {
    /// v2: the watch counts oom_kill increases in memory.events since it last looked.
    @Test func countsNewKills() throws {
        let dir = temporaryDirectory()
        defer { removeRecursively(dir) }
        writeFile(dir + "/memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\n")
        var watch = try #require(CgroupV2(root: dir, path: dir).oomWatch())
        defer { watch.close() }
        #expect(watch.events == Int16(POLLPRI))
        #expect(watch.take() == 0)
        writeFile(dir + "/memory.events", "low 0\nhigh 0\nmax 9\noom 5\noom_kill 5\n")
        #expect(watch.take() == 3)
        #expect(watch.take() == 0)
        #expect(CgroupV2(root: dir, path: dir + "/missing").oomWatch() == nil)
    }
}
