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

    @Test("a resource this host cannot apply fails create naming its JSON path, leaving nothing", arguments: [
        (#"{"unified": {"memory.high": "1"}}"#, "linux.resources.unified: invalid configuration: cannot use unified on cgroup v1 (unified resources need a cgroup v2 host)"),
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

    /// The kernel checks a period against the quota already there and the parent's limit:
    /// lowering both at once needs the quota first, then the period again (runc's order).
    @Test("in a pod cgroup with a CPU limit, update lowers period and quota together; above the pod's limit it fails")
    func podCPULimit() throws {
        try withBundle { b in
            let pod = "/sys/fs/cgroup/cpu/roost-tests/pod-\(b.id)"
            #expect(sh("mkdir -p \(pod) && echo 50000 > \(pod)/cpu.cfs_quota_us").status == 0)
            defer { _ = sh("rmdir /sys/fs/cgroup/*/roost-tests/pod-\(b.id)") }
            var l = b.linux
            l["cgroupsPath"] = "/roost-tests/pod-\(b.id)/\(b.id)"
            l["resources"] = ["cpu": ["idle": 0]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            expectOneLineError(b.roost(["update", "--cpu-quota", "60000", b.id]), contains: "cpu.quota: write \"60000\"")
            let r = b.roost(["update", "--cpu-period", "10000", "--cpu-quota", "3000", b.id])
            #expect(r.status == 0, "\(r)")
            let read = "cd /sys/fs/cgroup/cpu; cat cpu.cfs_quota_us cpu.cfs_period_us cpu.idle"
            #expect(b.roost(["exec", b.id, "sh", "-c", read]).stdout == "3000\n10000\n0\n")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
        }
    }

    /// An engine may make a pod's cgroup itself, leaving its cpuset empty; a task is refused
    /// (ENOSPC) in a cpuset cgroup without CPUs or memory nodes, so each level takes its
    /// parent's (runc's cpusetEnsureParent).
    @Test("a container below a pod cgroup with an empty cpuset runs: the pod's cpuset is filled from its parent")
    func emptyPodCpuset() throws {
        try withBundle { b in
            let pod = "/sys/fs/cgroup/cpuset/roost-tests/pod-\(b.id)"
            #expect(sh("mkdir -p \(pod) && test -z \"$(cat \(pod)/cpuset.cpus)\"").status == 0, "a new cpuset cgroup starts empty")
            defer { _ = sh("rmdir /sys/fs/cgroup/*/roost-tests/pod-\(b.id)") }
            var l = b.linux
            l["cgroupsPath"] = "/roost-tests/pod-\(b.id)/\(b.id)"
            b.linux = l
            b.setArgs(["cat", "/sys/fs/cgroup/cpuset/cpuset.cpus"])
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let hostCpus = (try? String(contentsOfFile: "/sys/fs/cgroup/cpuset/cpuset.cpus", encoding: .utf8)) ?? "?"
            #expect(r.stdout == hostCpus, "\(r)")
            #expect((try? String(contentsOfFile: pod + "/cpuset.cpus", encoding: .utf8)) == hostCpus)
        }
    }

    /// The kernel refuses a memory limit above the memory+swap one: runc orders the two writes
    /// (setMemoryAndSwap), and memory -1 takes swap to unlimited with it.
    @Test("update raises and removes memory and memory+swap limits in an order the kernel takes",
        .enabled(if: FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"), "no swap accounting (memory.memsw)"))
    func updateMemoryAndSwap() throws {
        try withBundle { b in
            var l = b.linux
            l["resources"] = ["memory": ["limit": 33_554_432, "swap": 50_331_648]]
            b.linux = l
            b.setArgs(["sleep", "60"])
            try expectRun(b, ["-d"], status: 0)
            let read = "cd /sys/fs/cgroup/memory; cat memory.limit_in_bytes memory.memsw.limit_in_bytes"
            func limits() -> String { b.roost(["exec", b.id, "sh", "-c", read]).stdout }
            #expect(limits() == "33554432\n50331648\n")
            // Both up, the new limit above the old memory+swap limit: memsw must go first.
            #expect(b.roost(["update", "--memory", "67108864", "--memory-swap", "100663296", b.id]).status == 0)
            #expect(limits() == "67108864\n100663296\n")
            // Unlimited memory takes unlimited swap with it.
            let unlimited = b.roost(["update", "--memory", "-1", b.id])
            #expect(unlimited.status == 0, "\(unlimited)")
            let max = "9223372036854771712"
            #expect(limits() == "\(max)\n\(max)\n")
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
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
            expectOneLineError(missing, contains: "exec --cgroup: error adding pid to cgroups: ")
            #expect(missing.stderr.contains("nowhere: No such file or directory"), "\(missing)")
            // Never above the container's own cgroup, and only controllers it has (runc's checks).
            for up in ["..", "sub/../..", "pids:../x"] {
                expectOneLineError(b.roost(["exec", "--cgroup", up, b.id, "true"]), contains: "exec --cgroup: bad sub cgroup path: ")
            }
            expectOneLineError(b.roost(["exec", "--cgroup", "whaaat:/", b.id, "true"]), contains: "exec --cgroup: unknown controller whaaat")
            let top = b.roost(["exec", "--cgroup", "/", b.id, "cat", "/proc/self/cgroup"])
            #expect(top.stdout.contains(pidsLine + "\n"), "/ is the container's own cgroup: \(top)")
            // delete removes the sub-cgroup with the container's (the leak check looks).
            #expect(b.roost(["delete", "--force", b.id]).status == 0)
            #expect(!FileManager.default.fileExists(atPath: pidsDir))
        }
    }
}
