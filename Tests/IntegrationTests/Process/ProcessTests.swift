import Foundation
import RoostTestSupport
import Testing

/// The value of `Field:` in /proc/self/status output.
func statusField(_ status: String, _ field: String) -> String? {
    status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        .map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
}

@Suite("the container's process", needsContainers)
struct ProcessTests {
    @Test("user: uid, gid and additional gids")
    func user() throws {
        try withBundle { b in
            var p = b.process
            p["user"] = ["uid": 1000, "gid": 1000, "additionalGids": [10, 20]]
            b.process = p
            b.setArgs(["id"])
            let r = try b.run()
            #expect(r.stdout == "uid=1000(user) gid=1000(user) groups=10,20\n" || r.stdout == "uid=1000(user) gid=1000(user) groups=1000(user),10,20\n", "\(r)")
        }
    }

    @Test("umask, env, cwd and HOME")
    func umaskEnvCwd() throws {
        try withBundle { b in
            var p = b.process
            p["user"] = ["uid": 0, "gid": 0, "umask": 0o027]
            p["env"] = ["PATH=/bin", "GREETING=hi there"]
            p["cwd"] = "/tmp/made/by/roost"
            b.process = p
            b.shell("umask; echo \"$GREETING\"; pwd; echo $HOME")
            let r = try b.run()
            #expect(r.stdout == "0027\nhi there\n/tmp/made/by/roost\n/root\n", "\(r)")
        }
    }

    @Test("capabilities: all five sets")
    func capabilities() throws {
        try withBundle { b in
            var p = b.process
            p["user"] = ["uid": 1000, "gid": 1000]
            p["noNewPrivileges"] = false
            p["capabilities"] = [
                "bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_CHOWN"],
                "effective": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
                "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"],
            ]
            b.process = p
            b.setArgs(["cat", "/proc/self/status"])
            let r = try b.run()
            // bits: CHOWN 0, KILL 5, NET_BIND_SERVICE 10. cat got NET_BIND_SERVICE through ambient.
            #expect(statusField(r.stdout, "CapBnd") == "0000000000000421", "\(r)")
            #expect(statusField(r.stdout, "CapInh") == "0000000000000400")
            #expect(statusField(r.stdout, "CapAmb") == "0000000000000400")
            #expect(statusField(r.stdout, "CapPrm") == "0000000000000400")
            #expect(statusField(r.stdout, "CapEff") == "0000000000000400")
        }
    }

    @Test("the default spec's capabilities and no_new_privs")
    func defaultCaps() throws {
        try withBundle { b in
            b.setArgs(["cat", "/proc/self/status"])
            let r = try b.run()
            #expect(statusField(r.stdout, "CapEff") == "0000000020000420", "\(r)")
            #expect(statusField(r.stdout, "CapBnd") == "0000000020000420")
            #expect(statusField(r.stdout, "NoNewPrivs") == "1")
        }
    }

    @Test("noNewPrivileges false leaves the flag clear")
    func noNewPrivsOff() throws {
        try withBundle { b in
            var p = b.process
            p["noNewPrivileges"] = false
            b.process = p
            b.setArgs(["cat", "/proc/self/status"])
            let r = try b.run()
            #expect(statusField(r.stdout, "NoNewPrivs") == "0", "\(r)")
        }
    }

    @Test("rlimits are set; one above the hard limit fails as runc's does")
    func rlimits() throws {
        try withBundle { b in
            var p = b.process
            p["rlimits"] = [["type": "RLIMIT_NOFILE", "soft": 256, "hard": 512], ["type": "RLIMIT_CORE", "soft": 0, "hard": 0]]
            b.process = p
            b.shell("ulimit -n; ulimit -Hn; ulimit -c")
            let r = try b.run()
            #expect(r.stdout == "256\n512\n0\n", "\(r)")
        }
        var hard = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &hard)
        let canRaise = sh("capsh --has-p=CAP_SYS_RESOURCE 2>/dev/null").status == 0 || hard.rlim_max == rlim_t.max
        if !canRaise {
            try withBundle { b in
                var p = b.process
                p["rlimits"] = [["type": "RLIMIT_NOFILE", "soft": hard.rlim_max + 1, "hard": hard.rlim_max + 1]]
                b.process = p
                let r = try b.run()
                expectOneLineError(r, contains: "RLIMIT_NOFILE")
            }
        }
    }

    @Test("oomScoreAdj is applied")
    func oomScoreAdj() throws {
        try withBundle { b in
            var p = b.process
            p["oomScoreAdj"] = 500
            b.process = p
            b.setArgs(["cat", "/proc/self/oom_score_adj"])
            let r = try b.run()
            #expect(r.stdout == "500\n", "\(r)")
        }
    }

    @Test("args[0] is looked up in the container's PATH, not the host's")
    func pathLookup() throws {
        try withBundle { b in
            // Written by a shell of its own: a file this process held open for writing could be
            // inherited by another test's fork at that moment, and its exec fail with ETXTBSY.
            let tool = b.rootfs + "/opt/tools/mytool"
            #expect(sh("mkdir -p \(b.rootfs)/opt/tools && printf '#!/bin/sh\\necho from opt\\n' > \(tool) && chmod 755 \(tool)").status == 0)
            var p = b.process
            p["env"] = ["PATH=/opt/tools:/bin"]
            b.process = p
            b.setArgs(["mytool"])
            let r = try b.run()
            #expect(r.stdout == "from opt\n", "\(r)")
        }
    }
}
