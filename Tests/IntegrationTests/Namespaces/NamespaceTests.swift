import Foundation
import RoostTestSupport
import Testing

/// The inode of a namespace as `readlink /proc/PID/ns/NAME` shows it, e.g. "net:[4026531840]".
func hostNamespace(_ name: String) -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/\(name)")) ?? "?"
}

@Suite("namespaces", needsContainers)
struct NamespaceTests {
    @Test("each namespace of the default spec is new", arguments: ["pid", "net", "ipc", "uts", "mnt"])
    func created(name: String) throws {
        try withBundle { b in
            b.setArgs(["readlink", "/proc/self/ns/\(name)"])
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.hasPrefix("\(name):["))
            #expect(r.stdout.trimmingCharacters(in: .newlines) != hostNamespace(name))
        }
    }

    @Test("a namespace left out of the config is the host's", arguments: ["net", "ipc", "uts"])
    func shared(name: String) throws {
        try withBundle { b in
            b.removeNamespace(["net": "network", "ipc": "ipc", "uts": "uts"][name]!)
            if name == "uts" { b.config.removeValue(forKey: "hostname") }
            b.setArgs(["readlink", "/proc/self/ns/\(name)"])
            let r = try b.run()
            #expect(r.stdout.trimmingCharacters(in: .newlines) == hostNamespace(name), "\(r)")
        }
    }

    @Test("the process is PID 1 of its pid namespace")
    func pid1() throws {
        try withBundle { b in
            b.shell("echo $$")
            let r = try b.run()
            #expect(r.stdout == "1\n", "\(r)")
        }
    }

    @Test("a new network namespace has only lo, and it is up")
    func loopback() throws {
        try withBundle { b in
            b.shell("ls /sys/class/net; cat /sys/class/net/lo/operstate; ip -o link show lo")
            let r = try b.run()
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first == "lo", "\(r)")
            #expect(lines.count >= 2 && lines[1] == "unknown", "\(r)")
            #expect(r.stdout.contains("UP"), "\(r)")
        }
    }

    @Test("hostname and domainname are set in the uts namespace")
    func hostname() throws {
        try withBundle { b in
            b.config["hostname"] = "box-one"
            b.config["domainname"] = "example.test"
            b.shell("hostname; cat /proc/sys/kernel/domainname")
            let r = try b.run()
            #expect(r.stdout == "box-one\nexample.test\n", "\(r)")
        }
    }

    @Test("a cgroup namespace makes the process's cgroup its root")
    func cgroupNamespace() throws {
        try withBundle { b in
            b.addNamespace("cgroup")
            b.shell("readlink /proc/self/ns/cgroup; grep -c ':/$' /proc/self/cgroup")
            let r = try b.run()
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first.map(String.init) != hostNamespace("cgroup"), "\(r)")
            #expect((Int(lines.last ?? "0") ?? 0) > 0, "\(r)")
        }
    }

    @Test("a time namespace applies linux.timeOffsets", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/ns/time"), "kernel has no time namespace"))
    func timeNamespace() throws {
        try withBundle { b in
            b.addNamespace("time")
            var l = b.linux
            l["timeOffsets"] = ["monotonic": ["secs": 864000, "nanosecs": 0]]
            b.linux = l
            b.shell("readlink /proc/self/ns/time; grep monotonic /proc/self/timens_offsets")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first.map(String.init) != hostNamespace("time"), "\(r)")
            #expect(lines.last?.split(separator: " ").filter { !$0.isEmpty } == ["monotonic", "864000", "0"], "\(r)")
        }
    }

    @Test("a user namespace applies uid/gid mappings")
    func userNamespace() throws {
        try withBundle { b in
            b.addNamespace("user")
            var l = b.linux
            l["uidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
            l["gidMappings"] = [["containerID": 0, "hostID": 100000, "size": 65536]]
            b.linux = l
            // A rootfs owned by the mapped root.
            sh("chown -R 100000:100000 \(b.rootfs)")
            b.shell("cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u /bin/busybox")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let words = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
            #expect(words.prefix(6) == ["0", "100000", "65536", "0", "100000", "65536"], "\(r)")
            #expect(words.dropFirst(6) == ["0", "0"], "\(r)")
        }
    }

    @Test("a network namespace with a path is joined (ip netns add)")
    func joinNetns() throws {
        try withBundle { b in
            let name = "roost-\(b.id.suffix(8))"
            let add = sh("ip netns add \(name)")
            try #require(add.status == 0, "ip netns add: \(add)")
            b.onTeardown { sh("ip netns delete \(name)") }
            let link = sh("ip netns exec \(name) ip link add dummy0 type veth peer name dummy1")
            try #require(link.status == 0, "ip link add: \(link)")
            b.addNamespace("network", path: "/var/run/netns/\(name)")
            b.shell("readlink /proc/self/ns/net; ls /sys/class/net")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let expected = sh("ip netns exec \(name) readlink /proc/self/ns/net").stdout
            #expect(r.stdout.hasPrefix(expected), "\(r)")
            #expect(r.stdout.contains("dummy0"), "\(r)")
        }
    }

    @Test("a pid namespace with a path is joined")
    func joinPidNamespace() throws {
        try withBundle { b in
            // A host process in a pid namespace of its own, whose namespace the container joins.
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            holder.arguments = ["--pid", "--fork", "--mount-proc", "sleep", "30"]
            try holder.run()
            b.onTeardown {
                sh("pkill -KILL -P \(holder.processIdentifier)")
                holder.terminate()
                holder.waitUntilExit()
            }
            var child = ""
            for _ in 0..<100 {
                child = sh("pgrep -P \(holder.processIdentifier) sleep").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                if !child.isEmpty { break }
                usleep(20_000)
            }
            try #require(!child.isEmpty)
            let nsPath = "/proc/\(child)/ns/pid"
            let expected = try FileManager.default.destinationOfSymbolicLink(atPath: nsPath)
            b.addNamespace("pid", path: nsPath)
            b.shell("readlink /proc/self/ns/pid_for_children; echo $$")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first.map(String.init) == expected, "\(r)")
            // sleep is 1 there; the container's shell gets a later pid.
            #expect((Int(lines.last ?? "1") ?? 1) > 1, "\(r)")
        }
    }
}
