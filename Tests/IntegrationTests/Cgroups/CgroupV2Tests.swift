import Foundation
import RoostTestSupport
import Testing

/// The v2 driver on a cgroup2-only host: runs in the VM lane (`make test-vm`), where the kernel
/// is booted with cgroup_no_v1=all. Inside the container /sys/fs/cgroup is its own cgroup
/// (runc's starter config has a cgroup namespace on such a host).
@Suite("cgroups v2", needsContainers, .enabled(if: TestEnvironment.isCgroup2Only, "host is not cgroup2-only (this suite runs in the VM lane: make test-vm)"))
struct CgroupV2Tests {
    /// The container's cgroup directory on the host, from its init's /proc/PID/cgroup.
    func hostDirectory(_ b: TestBundle) -> String? {
        guard let pid = stateOf(b)?["pid"] as? Int,
            let text = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") })
        else { return nil }
        return "/sys/fs/cgroup" + line.dropFirst(3)
    }

    @Test("the container gets a cgroup of its own, named after its id, below the parent of roost's (runc's fs2 rule)")
    func placement() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let own = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("0::") }
            let parent = ((own.map { String($0.dropFirst(3)) } ?? "/") as NSString).deletingLastPathComponent
            #expect(hostDirectory(b) == "/sys/fs/cgroup" + (parent == "/" ? "" : parent) + "/" + b.id)
            #expect(b.roost(["exec", b.id, "cat", "/proc/self/cgroup"]).stdout == "0::/\n", "inside its cgroup namespace it is the root")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("memory, pids and cpu limits are written with runc's conversions, and the container sees them")
    func limits() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = [
                "memory": ["limit": 64 << 20, "reservation": 32 << 20], "pids": ["limit": 20],
                "cpu": ["shares": 1024, "quota": 50000, "period": 100000],
            ]
            b.linux = l
            b.shell("cd /sys/fs/cgroup; cat memory.max memory.low pids.max cpu.weight cpu.max")
            let r = try b.run()
            #expect(r.stdout == "67108864\n33554432\n20\n100\n50000 100000\n", "\(r)")
        }
    }

    @Test("linux.resources.unified is written verbatim")
    func unified() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["unified": ["pids.max": "7", "memory.high": "50331648"]]
            b.linux = l
            b.shell("cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.high")
            let r = try b.run()
            #expect(r.stdout == "7\n50331648\n", "\(r)")
        }
    }

    @Test("a pids limit stops a fork flood")
    func pidsEnforced() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["pids": ["limit": 5]]
            b.linux = l
            b.removeNamespace("pid")
            b.shell("for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; wait")
            try expectRun(b, ["-d"], status: 0)
            usleep(300_000)
            let count = b.roost(["ps", "--format", "json", b.id]).stdout.split(separator: ",").count
            #expect(count >= 1 && count <= 5, "\(count) processes under a limit of 5")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("the eBPF device filter: default deny, runc's allowed nodes work, others are refused")
    func devicesEnforced() throws {
        try withBundle { b in
            #expect(sh("mknod \(b.rootfs)/kmsg c 1 11").status == 0)
            b.shell("echo ok > /dev/null && echo null-ok; head -c 1 /kmsg 2>&1 | grep -o 'Operation not permitted'")
            let r = try b.run()
            #expect(r.stdout == "null-ok\nOperation not permitted\n", "\(r)")
        }
    }

    @Test("pause freezes through cgroup.freeze and resume thaws")
    func pauseResume() throws {
        try withBundle { b in
            b.config["root"] = ["path": "rootfs", "readonly": false]
            b.shell("while :; do date +%s%N > /tick; sleep 0.05; done")
            try expectRun(b, ["-d"], status: 0)
            #expect(b.roost(["pause", b.id]).status == 0)
            #expect(stateOf(b)?["status"] as? String == "paused")
            let before = try String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8)
            usleep(300_000)
            #expect(try String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8) == before, "a paused container must not run")
            #expect(b.roost(["resume", b.id]).status == 0)
            #expect(stateOf(b)?["status"] as? String == "running")
            #expect(eventually { (try? String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8)) != before })
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("update changes limits by flag and by resources JSON")
    func update() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let flags = b.roost(["update", "--memory", "96m", "--pids-limit", "42", "--cpu-share", "1024", "--cpu-quota", "20000", b.id])
            #expect(flags.status == 0, "\(flags)")
            let read = "cd /sys/fs/cgroup; cat memory.max pids.max cpu.weight cpu.max"
            #expect(b.roost(["exec", b.id, "sh", "-c", read]).stdout == "100663296\n42\n100\n20000 100000\n")
            let json = b.roost(["update", "-r", "-", b.id], stdin: #"{"memory": {"limit": 134217728}, "pids": {"limit": 7}}"#)
            #expect(json.status == 0, "\(json)")
            #expect(b.roost(["exec", b.id, "sh", "-c", read]).stdout.hasPrefix("134217728\n7\n"))
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("events --stats reads cpu.stat, memory.current and pids.current in runc's JSON")
    func statsOnce() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["pids": ["limit": 30], "memory": ["limit": 64 << 20]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let r = b.roost(["events", "--stats", b.id])
            let e = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
            let data = e["data"] as? [String: Any] ?? [:]
            #expect((data["pids"] as? [String: Any])?["current"] as? Int == 1 && (data["pids"] as? [String: Any])?["limit"] as? Int == 30, "\(data)")
            let usage = (data["memory"] as? [String: Any])?["usage"] as? [String: Any]
            #expect(usage?["limit"] as? Int == 64 << 20 && (usage?["usage"] as? Int ?? 0) > 0, "\(String(describing: usage))")
            #expect((((data["cpu"] as? [String: Any])?["usage"] as? [String: Any])?["total"] as? Int ?? 0) > 0)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("events reports an oom event when the cgroup OOM-kills (memory.events)")
    func oomEvent() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 16 << 20, "swap": 16 << 20]]
            b.linux = l
            b.shell("sleep 0.5; head -c 256m /dev/zero | tail > /dev/null; sleep 0.3")
            try expectRun(b, ["-d"], status: 0)
            let r = b.roost(["events", "--interval", "200ms", b.id])
            let types = r.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["type"] as? String
            }
            #expect(types.contains("oom"), "\(types) \(r)")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("a memory floor: `true` runs under 512 KiB of memory and a pids limit of 1")
    func memoryFloor() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 512 << 10], "pids": ["limit": 1]]
            b.linux = l
            b.setArgs(["true"])
            try expectRun(b, [], status: 0)
        }
    }

    @Test("a resource the v2 driver refuses fails create naming its JSON path, leaving nothing")
    func badResource() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["unified": ["pids/../x": "1"]]
            b.linux = l
            expectOneLineError(try b.run(), contains: "linux.resources.unified")
        }
    }

    @Test("exec --cgroup runs the process in an existing sub-cgroup")
    func execSubCgroup() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let dir = try #require(hostDirectory(b))
            #expect(sh("mkdir \(dir)/sub").status == 0)
            let r = b.roost(["exec", "--cgroup", "sub", b.id, "cat", "/proc/self/cgroup"])
            #expect(r.stdout == "0::/sub\n", "\(r)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: dir))
        }
    }
}
