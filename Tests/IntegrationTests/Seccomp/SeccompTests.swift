import Foundation
import RoostTestSupport
import Testing

/// A `linux.seccomp` profile for the bundle.
func setSeccomp(_ b: TestBundle, _ profile: [String: Any]) {
    var l = b.linux
    l["seccomp"] = profile
    b.linux = l
}

/// One rule: `names` get `action`, with optional errnoRet and argument conditions.
func rule(_ names: [String], _ action: String, errnoRet: Int? = nil, args: [[String: Any]]? = nil) -> [String: Any] {
    var r: [String: Any] = ["names": names, "action": action]
    if let errnoRet { r["errnoRet"] = errnoRet }
    if let args { r["args"] = args }
    return r
}

func arg(_ index: Int, _ op: String, _ value: UInt64, _ valueTwo: UInt64? = nil) -> [String: Any] {
    var a: [String: Any] = ["index": index, "op": "SCMP_CMP_" + op, "value": value]
    if let valueTwo { a["valueTwo"] = valueTwo }
    return a
}

/// Every syscall name of this architecture, from the kernel headers libseccomp-dev brings.
func allSyscallNames() throws -> [String] {
    let text = try String(contentsOfFile: "/usr/include/x86_64-linux-gnu/asm/unistd_64.h", encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
        let f = line.split(separator: " ")
        guard f.count == 3, f[0] == "#define", f[1].hasPrefix("__NR_") else { return nil }
        return String(f[1].dropFirst(5))
    }
}

/// Core dumps of the processes seccomp kills would land in the bundle's rootfs.
func noCoreDumps(_ b: TestBundle) {
    var p = b.process
    p["rlimits"] = [["type": "RLIMIT_CORE", "soft": 0, "hard": 0]]
    b.process = p
}

@Suite("linux.seccomp", needsContainers)
struct SeccompTests {
    /// A profile written for the user's program need not allow what the runtime does after
    /// loading it: roost marks inherited fds close-on-exec before the filter, as runc does (an
    /// engine's errno-by-default profile that predates close_range used to fail every start).
    /// (busybox's sh itself needs fcntl, so only close_range is refused here.)
    @Test("a profile that refuses close_range still starts the process, for run and exec, and no fd leaks")
    func profileRefusesCloseRange() throws {
        try withBundle { b in
            var p = b.process
            p["noNewPrivileges"] = true
            b.process = p
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["close_range"], "SCMP_ACT_ERRNO", errnoRet: 1)]])
            b.setArgs(["ls", "/proc/self/fd"])
            try b.writeConfig()
            // A stray fd of the caller (no close-on-exec) must not reach the process.
            let run = sh("exec 7</dev/null; \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) run --bundle \(b.path) \(b.id)")
            #expect(run.status == 0 && run.stdout == "0\n1\n2\n3\n", "\(run)")
            b.setArgs(["sleep", "30"])
            try b.writeConfig()
            #expect(b.roost(["run", "-d", "--bundle", b.path, b.id]).status == 0)
            let exec = sh("exec 7</dev/null; \(TestEnvironment.binary) --root \(TestEnvironment.stateRoot) exec \(b.id) ls /proc/self/fd")
            #expect(exec.status == 0 && exec.stdout == "0\n1\n2\n3\n", "\(exec)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("default allow, mkdir denied: EPERM for mkdir only; unknown names are ignored")
    func denyMkdir() throws {
        try withBundle { b in
            setSeccomp(b, [
                "defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
                "syscalls": [rule(["mkdir", "mkdirat", "no_such_syscall_in_any_kernel"], "SCMP_ACT_ERRNO")],
            ])
            b.shell("mkdir /dev/shm/x; echo mkdir=$?; touch /dev/shm/y && echo touched; grep -E '^Seccomp(_filters)?:' /proc/self/status")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout == "mkdir=1\ntouched\nSeccomp:\t2\nSeccomp_filters:\t1\n", "\(r)")
            #expect(r.stderr.contains("mkdir: can't create directory '/dev/shm/x': Operation not permitted"), "\(r)")
        }
    }

    @Test("a compiled profile of more than 32 names is cached under --root: the next create reads it back, a damaged entry is compiled again, list does not show it")
    func cache() throws {
        // A profile no other test or earlier run used (an unknown name is ignored but is part of
        // the profile), so the first create here compiles it.
        let marker = "roost_cache_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "_")
        let profile: [String: Any] = [
            "defaultAction": "SCMP_ACT_ALLOW",
            // Past 32 names, where roost caches (unknown names count, and are ignored).
            "syscalls": [rule(["mkdir", "mkdirat", marker] + (0..<32).map { "\(marker)_\($0)" }, "SCMP_ACT_ERRNO")],
        ]
        var entries: [String] = []
        for round in 0..<3 {
            try withBundle { b in
                setSeccomp(b, profile)
                b.shell("mkdir /dev/shm/x 2>/dev/null; echo mkdir=$?")
                try b.writeConfig()
                let log = b.path + "/roost.log"
                let r = runProgram(TestEnvironment.binary, ["--root", TestEnvironment.stateRoot, "--log", log, "--debug", "run", "--bundle", b.path, b.id])
                #expect(r.stdout == "mkdir=1\n", "round \(round): \(r)")
                let debug = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                #expect(debug.contains("seccomp: "), "the debug log says how the filter was made: \(debug)")
                #expect(debug.contains("from the cache") == (round == 1), "round \(round) (1 reads the cache; 2 follows a damaged entry): \(debug)")
                let dir = TestEnvironment.stateRoot + "/cache:seccomp"
                let now = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                if round == 0 {
                    let mine = now.filter { (try? String(contentsOfFile: dir + "/" + $0, encoding: .isoLatin1))?.contains(marker) == true }
                    entries = mine
                    #expect(!mine.isEmpty, "an entry for this profile: \(now)")
                }
                if round == 1 {
                    // Damage this profile's entries: the next create must compile again.
                    for e in entries { try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir + "/" + e)) }
                }
                #expect(!b.roost(["list", "-q"]).stdout.contains("cache"), "list shows containers only")
            }
        }
    }

    @Test("errnoRet is the rule's error")
    func errnoRet() throws {
        try withBundle { b in
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", errnoRet: 13)]])
            b.setArgs(["mkdir", "/dev/shm/x"])
            let r = try b.run()
            #expect(r.status == 1, "\(r)")
            #expect(r.stderr.contains("Permission denied"), "\(r)")
        }
    }

    @Test("a default-deny allow-list of every syscall but a few: defaultErrnoRet for the rest")
    func allowList() throws {
        let denied: Set = ["mkdir", "mkdirat", "chmod", "fchmodat", "fchmodat2"]
        let allowed = try allSyscallNames().filter { !denied.contains($0) }
        #expect(allowed.count > 300)
        try withBundle { b in
            setSeccomp(b, [
                // EROFS: not an error anything here would give by itself.
                "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 30,
                "syscalls": [rule(allowed, "SCMP_ACT_ALLOW"), rule(["chmod", "fchmodat"], "SCMP_ACT_ERRNO", errnoRet: 1)],
            ])
            // /dev/shm is writable: EROFS there can only be the filter's.
            b.shell("mkdir /dev/shm/x; touch /dev/shm/f; chmod 600 /dev/shm/f; echo end")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout == "end\n", "\(r)")
            #expect(r.stderr == "mkdir: can't create directory '/dev/shm/x': Read-only file system\nchmod: /dev/shm/f: Operation not permitted\n", "\(r)")
        }
    }

    @Test("conditions on different arguments must all hold (AND)")
    func conditionsAnd() throws {
        try withBundle { b in
            // kill(1, 0) only: pid 1 is the shell itself.
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["kill"], "SCMP_ACT_ERRNO", args: [arg(0, "EQ", 1), arg(1, "EQ", 0)])]])
            b.shell("sleep 30 & kill -0 1 2>/dev/null; echo $?; kill -CONT 1; echo $?; kill -0 $!; echo $?; kill -9 $!")
            let r = try b.run()
            #expect(r.stdout == "1\n0\n0\n", "\(r)")
        }
    }

    @Test("conditions on the same argument are alternatives (OR), as runc")
    func conditionsOr() throws {
        try withBundle { b in
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["kill"], "SCMP_ACT_ERRNO", args: [arg(1, "EQ", 0), arg(1, "EQ", 18)])]])
            b.shell("sleep 30 & kill -0 $! 2>/dev/null; echo $?; kill -CONT $! 2>/dev/null; echo $?; kill -WINCH $!; echo $?; kill -9 $!")
            let r = try b.run()
            #expect(r.stdout == "1\n1\n0\n", "\(r)")
        }
    }

    @Test("SCMP_CMP_MASKED_EQ: value is the mask, valueTwo the value compared")
    func maskedEqual() throws {
        try withBundle { b in
            // umask(2) with the others-write bit set is refused; the mask stays.
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["umask"], "SCMP_ACT_ERRNO", args: [arg(0, "MASKED_EQ", 0o002, 0o002)])]])
            b.shell("umask 070; umask; umask 022; umask; umask 075; umask")
            let r = try b.run()
            #expect(r.stdout == "0070\n0070\n0075\n", "\(r)")
        }
    }

    @Test("SCMP_ACT_KILL and SCMP_ACT_KILL_PROCESS: the process dies of SIGSYS")
    func kill() throws {
        for action in ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD"] {
            try withBundle { b in
                setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["mkdir", "mkdirat"], action)]])
                noCoreDumps(b)
                b.setArgs(["mkdir", "/dev/shm/x"])
                let r = try b.run()
                #expect(r.status == 128 + 31, "\(action): \(r)")
            }
        }
    }

    @Test("without no_new_privs a non-root process is filtered too (loaded before capabilities drop)")
    func withoutNoNewPrivs() throws {
        try withBundle { b in
            var p = b.process
            p["noNewPrivileges"] = false
            p["user"] = ["uid": 1000, "gid": 1000]
            b.process = p
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", errnoRet: 13)]])
            b.shell("mkdir /dev/shm/x; echo $?; id -u; grep -E '^(NoNewPrivs|Seccomp|CapEff):' /proc/self/status")
            let r = try b.run()
            #expect(r.stdout == "1\n1000\nCapEff:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t2\n", "\(r)")
            #expect(r.stderr.contains("Permission denied"), "\(r)")
        }
    }

    @Test("exec'd processes get the container's filter (either load point), also with --process")
    func exec() throws {
        try withBundle { b in
            var p = b.process
            p["noNewPrivileges"] = false
            b.process = p
            setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO", errnoRet: 13)]])
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            // Without no_new_privs (loaded before the user changes), as root and as another user;
            // then with it (loaded last).
            for flags in [[], ["-u", "1000:1000"], ["--no-new-privs", "-u", "1000:1000"]] {
                let r = b.roost(["exec"] + flags + [b.id, "sh", "-c", "mkdir /dev/shm/x; echo $?; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"])
                let nnp = flags.contains("--no-new-privs") ? 1 : 0
                #expect(r.stdout == "1\nNoNewPrivs:\t\(nnp)\nSeccomp:\t2\n", "\(flags): \(r)")
                #expect(r.stderr.contains("Permission denied"), "\(flags): \(r)")
            }
            let file = b.path + "/process.json"
            try #"{"args": ["sh", "-c", "mkdir /dev/shm/x; echo $?; grep ^Seccomp: /proc/self/status"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}}"#
                .write(toFile: file, atomically: true, encoding: .utf8)
            let r = b.roost(["exec", "--process", file, b.id])
            #expect(r.stdout == "1\nSeccomp:\t2\n", "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("SCMP_ACT_NOTIFY: the agent at listenerPath gets runc's process state and the listener fd")
    func notify() throws {
        try withBundle { b in
            let receiver = try FDReceiver(path: b.path + "/agent.sock")
            setSeccomp(b, [
                "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": receiver.path, "listenerMetadata": "agent-data",
                "syscalls": [rule(["mkdir", "mkdirat"], "SCMP_ACT_NOTIFY")],
            ])
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            func check(_ got: (String, Int32)?, status: String, pid: Int?) throws {
                let (message, fd) = try #require(got)
                defer { close(fd) }
                let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
                #expect(link == "anon_inode:seccomp notify", "\(link)")
                let doc = try #require(try JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any], "\(message)")
                #expect(doc["fds"] as? [String] == ["seccompFd"], "\(message)")
                #expect(doc["metadata"] as? String == "agent-data")
                #expect(doc["ociVersion"] as? String != nil)
                let state = try #require(doc["state"] as? [String: Any], "\(message)")
                #expect(state["id"] as? String == b.id)
                #expect(state["status"] as? String == status)
                #expect(state["bundle"] as? String == b.path)
                let initPid = stateOf(b)?["pid"] as? Int
                #expect(state["pid"] as? Int == initPid)
                #expect(doc["pid"] as? Int == (pid ?? initPid), "\(message)")
            }
            try check(receiver.receive(), status: "creating", pid: nil)
            let pidFile = b.path + "/exec.pid"
            let e = b.roost(["exec", "-d", "--pid-file", pidFile, b.id, "sleep", "30"])
            #expect(e.status == 0, "\(e)")
            let execPid = Int((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "")
            try check(receiver.receive(), status: "running", pid: execPid)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("SCMP_ACT_NOTIFY with nobody at listenerPath fails create and leaves nothing")
    func notifyWithoutAgent() throws {
        try withBundle { b in
            setSeccomp(b, [
                "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": b.path + "/nobody.sock",
                "syscalls": [rule(["mkdir"], "SCMP_ACT_NOTIFY")],
            ])
            let r = try b.run()
            expectOneLineError(r, contains: "linux.seccomp.listenerPath: failed to connect with seccomp agent: connect \(b.path)/nobody.sock: No such file or directory")
        }
    }

    @Test(
        "bad profiles: one line naming the JSON path, nothing left",
        arguments: [
            (#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_EXPLODE"}]}"#,
             #"config.json: linux.seccomp.syscalls[0].action: unknown seccomp action "SCMP_ACT_EXPLODE""#),
            (#"{"defaultAction": "SCMP_ACT_NOPE"}"#, #"config.json: linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_NOPE""#),
            (#"{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_VAX"]}"#,
             #"config.json: linux.seccomp.architectures[0]: unknown seccomp architecture "SCMP_ARCH_VAX""#),
            (#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_LIKE"}]}]}"#,
             #"config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_LIKE""#),
            (#"{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_FAST"]}"#,
             #"config.json: linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_FAST""#),
            // Passes validation; compiling (in the parent, before clone) finds that the kernel
            // takes this flag only with a listener.
            (#"{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}"#,
             "config.json: linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
        ])
    func badProfile(profile: String, message: String) throws {
        try withBundle { b in
            setSeccomp(b, try #require(try JSONSerialization.jsonObject(with: Data(profile.utf8)) as? [String: Any]))
            let r = try b.run()
            expectOneLineError(r, contains: message)
            #expect(r.status == 1, "\(r)")
        }
    }

    @Test("flags: SPEC_ALLOW and LOG are accepted, TSYNC is ignored, [] means none")
    func flags() throws {
        for flags in [["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"], []] {
            try withBundle { b in
                setSeccomp(b, ["defaultAction": "SCMP_ACT_ALLOW", "flags": flags, "syscalls": [rule(["mkdir", "mkdirat"], "SCMP_ACT_ERRNO")]])
                b.shell("mkdir /dev/shm/x 2>/dev/null; echo $?")
                let r = try b.run()
                #expect(r.stdout == "1\n", "\(flags): \(r)")
            }
        }
    }
}
