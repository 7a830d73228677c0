import Foundation
import RoostTestSupport
import Testing

let isCgroupV1 = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.limit_in_bytes")

@Suite("cgroups v1", needsContainers, .enabled(if: isCgroupV1, "host has no cgroup v1 memory hierarchy (the v2 lane runs in a VM)"))
struct CgroupV1Tests {
    @Test("the container gets a cgroup of its own in every hierarchy, named after its id by default")
    func placement() throws {
        try withBundle { b in
            b.setArgs(["cat", "/proc/self/cgroup"])
            let r = try b.run()
            let lines = r.stdout.split(separator: "\n")
            #expect(!lines.isEmpty && lines.allSatisfy { $0.hasSuffix("/" + b.id) }, "\(r)")
        }
    }

    @Test("an absolute linux.cgroupsPath is taken from each hierarchy's root")
    func absolutePath() throws {
        try withBundle { b in
            var l = b.linux
            l["cgroupsPath"] = "/roost-tests/\(b.id)"
            b.linux = l
            b.onTeardown { sh("for d in /sys/fs/cgroup/*/roost-tests; do rmdir $d 2>/dev/null; done") }
            b.setArgs(["cat", "/proc/self/cgroup"])
            let r = try b.run()
            let lines = r.stdout.split(separator: "\n")
            #expect(!lines.isEmpty && lines.allSatisfy { $0.hasSuffix(":/roost-tests/" + b.id) }, "\(r)")
            #expect(!FileManager.default.fileExists(atPath: "/sys/fs/cgroup/pids/roost-tests/\(b.id)"), "delete must remove it")
        }
    }

    @Test("memory, pids and cpu limits are written, and the container sees them")
    func limits() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = [
                "memory": ["limit": 64 << 20, "reservation": 32 << 20], "pids": ["limit": 20],
                "cpu": ["shares": 512, "quota": 50000, "period": 100000],
                "devices": [["allow": false, "access": "rwm"]],
            ]
            b.linux = l
            b.shell("cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes pids/pids.max cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us")
            let r = try b.run()
            #expect(r.stdout == "67108864\n33554432\n20\n512\n50000\n100000\n", "\(r)")
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
            // Let the loop try all eight; the kernel admits five tasks at most.
            usleep(300_000)
            let count = b.roost(["ps", "--format", "json", b.id]).stdout.split(separator: ",").count
            #expect(count >= 1 && count <= 5, "\(count) processes under a limit of 5")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("device rules: default deny, runc's allowed nodes work, others are refused")
    func devicesEnforced() throws {
        try withBundle { b in
            // A node the rules do not allow (1:11 is /dev/kmsg), made in the rootfs beforehand.
            #expect(sh("mknod \(b.rootfs)/kmsg c 1 11").status == 0)
            b.shell("echo ok > /dev/null && echo null-ok; head -c 1 /kmsg 2>&1 | grep -o 'Operation not permitted'")
            let r = try b.run()
            #expect(r.stdout == "null-ok\nOperation not permitted\n", "\(r)")
        }
    }

    @Test("a resource this host cannot apply fails create naming its JSON path, leaving nothing", arguments: [
        (#"{"cpu": {"idle": 1}}"#, "linux.resources.cpu.idle: cpu.idle exists on cgroup v2 only"),
        (#"{"unified": {"memory.high": "1"}}"#, "linux.resources.unified: unified resources need a cgroup v2 host"),
        (#"{"cpu": {"cpus": "999"}}"#, "linux.resources.cpu.cpus: write \"999\" to"),
    ])
    func badResource(json: String, message: String) throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = try JSONSerialization.jsonObject(with: Data(json.utf8))
            b.linux = l
            expectOneLineError(try b.run(), contains: message)
        }
    }

    @Test("pause freezes every process and resume thaws them; exec waits for resume")
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
            expectOneLineError(b.roost(["exec", b.id, "true"]), contains: "cannot exec in a paused container")
            expectOneLineError(b.roost(["pause", b.id]), contains: "cannot pause a container that is paused")
            #expect(b.roost(["resume", b.id]).status == 0)
            #expect(stateOf(b)?["status"] as? String == "running")
            #expect(eventually { (try? String(contentsOfFile: b.rootfs + "/tick", encoding: .utf8)) != before })
            expectOneLineError(b.roost(["resume", b.id]), contains: "cannot resume a container that is running")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("ps lists the container's processes: json pids, and ps's table filtered")
    func ps() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let pid = stateOf(b)?["pid"] as? Int ?? -1
            let json = b.roost(["ps", "--format", "json", b.id])
            #expect(json.stdout == "[\(pid)]\n", "\(json)")
            let table = b.roost(["ps", b.id])
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.first?.contains("PID") == true && lines.count == 2 && lines[1].contains("sleep 60"), "\(table)")
            let custom = b.roost(["ps", b.id, "-o", "pid,comm"])
            #expect(custom.stdout.split(separator: "\n").last?.contains("sleep") == true, "\(custom)")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("kill --all reaches processes through the cgroup, with or without a pid namespace")
    func killAllCgroup() throws {
        try withBundle { b in
            b.shell("sleep 100 & sleep 100 & wait")
            try expectRun(b, ["-d"], status: 0)
            #expect(eventually { (try? String(contentsOfFile: "/proc/\(stateOf(b)?["pid"] as? Int ?? 0)/status", encoding: .utf8)) != nil })
            #expect(eventually { b.roost(["ps", "--format", "json", b.id]).stdout.split(separator: ",").count == 3 })
            #expect(b.roost(["kill", "--all", b.id, "KILL"]).status == 0)
            #expect(eventually { stateOf(b)?["status"] as? String == "stopped" })
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("update changes a running container's limits, from flags (with k/m/g) or -r JSON")
    func update() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let flags = b.roost(["update", "--memory", "96m", "--pids-limit", "42", "--cpu-share", "256", "--cpu-quota", "20000", b.id])
            #expect(flags.status == 0, "\(flags)")
            let read = "cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes pids/pids.max cpu/cpu.shares cpu/cpu.cfs_quota_us"
            #expect(b.roost(["exec", b.id, "sh", "-c", read]).stdout == "100663296\n42\n256\n20000\n")
            let json = b.roost(["update", "-r", "-", b.id], stdin: #"{"memory": {"limit": 134217728}, "pids": {"limit": 7}}"#)
            #expect(json.status == 0, "\(json)")
            #expect(b.roost(["exec", b.id, "sh", "-c", read]).stdout.hasPrefix("134217728\n7\n"))
            expectOneLineError(b.roost(["update", "--memory", "lots", b.id]), contains: "invalid value for memory: lots")
            expectOneLineError(b.roost(["update", "--cpu-period", "often", b.id]), contains: "update: invalid value for cpu-period: often")
            expectOneLineError(b.roost(["update", "--pids-limit"]), contains: "flag needs an argument: -pids-limit")
            expectOneLineError(b.roost(["update", "--cpuset-cpus", "999", b.id]), contains: "update: cpu.cpus: write \"999\"")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("update refuses a stopped container")
    func updateStopped() throws {
        try withBundle { b in
            b.setArgs(["true"])
            try expectRun(b, ["--keep"], status: 0)
            expectOneLineError(b.roost(["update", "--memory", "64m", b.id]), contains: "container not running")
            #expect(b.roost(["delete", b.id]).status == 0)
        }
    }

    @Test("events --stats prints one stats event with cpu, memory and pids figures")
    func statsOnce() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["pids": ["limit": 30], "memory": ["limit": 64 << 20]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let r = b.roost(["events", "--stats", b.id])
            #expect(r.status == 0 && r.stdout.split(separator: "\n").count == 1, "\(r)")
            let e = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(e["type"] as? String == "stats" && e["id"] as? String == b.id)
            let data = e["data"] as? [String: Any] ?? [:]
            #expect((data["pids"] as? [String: Any])?["current"] as? Int == 1 && (data["pids"] as? [String: Any])?["limit"] as? Int == 30, "\(data)")
            let usage = (data["memory"] as? [String: Any])?["usage"] as? [String: Any]
            #expect(usage?["limit"] as? Int == 64 << 20 && (usage?["usage"] as? Int ?? 0) > 0, "\(String(describing: usage))")
            #expect((((data["cpu"] as? [String: Any])?["usage"] as? [String: Any])?["total"] as? Int ?? 0) > 0)
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    @Test("events streams stats at --interval and an oom event when the cgroup OOM-kills, until the container stops")
    func stream() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 16 << 20, "swap": 16 << 20]]
            b.linux = l
            // Grows past the limit after a while (tail keeps the whole input), then the shell ends.
            b.shell("sleep 0.5; head -c 256m /dev/zero | tail > /dev/null; sleep 0.3")
            try expectRun(b, ["-d"], status: 0)
            let r = b.roost(["events", "--interval", "200ms", b.id])
            #expect(r.status == 0, "\(r)")
            let types = r.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["type"] as? String
            }
            #expect(types.filter { $0 == "stats" }.count >= 2, "\(types)")
            #expect(types.contains("oom"), "\(types)")
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

    @Test("a limit too small to run is said plainly, not just 137")
    func tooSmall() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 128 << 10]]
            b.linux = l
            b.setArgs(["true"])
            let r = try b.run()
            #expect(r.status != 0)
            #expect(r.stderr.contains("killed by the OOM killer: linux.resources.memory.limit (131072 bytes) is too small"), "\(r)")
            #expect(r.stderrLines.count == 1, "\(r)")
        }
    }

    @Test("exec --cgroup runs the process in an existing sub-cgroup, for all or named controllers")
    func execSubCgroup() throws {
        try withBundle { b in
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let initCgroups = b.roost(["exec", b.id, "cat", "/proc/1/cgroup"]).stdout
            let pidsLine = try #require(initCgroups.split(separator: "\n").first { $0.contains(":pids:") })
            let pidsDir = "/sys/fs/cgroup/pids" + (pidsLine.split(separator: ":", maxSplits: 2).last.map(String.init) ?? "")
            let memLine = try #require(initCgroups.split(separator: "\n").first { $0.contains(":memory:") })
            #expect(sh("mkdir \(pidsDir)/sub").status == 0)
            let r = b.roost(["exec", "--cgroup", "pids:sub", b.id, "cat", "/proc/self/cgroup"])
            #expect(r.stdout.contains(pidsLine + "/sub"), "\(r)")
            #expect(r.stdout.contains(memLine + "\n"), "other hierarchies stay with init: \(r)")
            let missing = b.roost(["exec", "--cgroup", "nowhere", b.id, "true"])
            #expect(missing.status == 255)
            expectOneLineError(missing, contains: "exec --cgroup: ")
            // delete removes the sub-cgroup with the container's (the leak check looks).
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: pidsDir))
        }
    }
}
