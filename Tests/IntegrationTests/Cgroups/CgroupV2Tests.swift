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
