import Foundation
import RoostTestSupport
import Testing

@Suite("/dev, masked and read-only paths, sysctls", needsContainers)
struct DeviceTests {
    @Test("/dev has runc's default nodes and symlinks")
    func defaultDevices() throws {
        try withBundle { b in
            b.shell("ls -l /dev | tail -n +2 | awk '{print $1, $5, $6, $NF, $(NF-1), $(NF-2)}'")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            for (name, majmin) in [("null", "1, 3"), ("zero", "1, 5"), ("full", "1, 7"), ("tty", "5, 0"), ("random", "1, 8"), ("urandom", "1, 9")] {
                let parts = majmin.split(separator: " ")
                #expect(lines.contains { $0.hasPrefix("crw-rw-rw- \(parts[0]) \(parts[1]) \(name)") }, "\(name) in \(lines)")
            }
            for (link, target) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx")] {
                #expect(lines.contains { $0.hasPrefix("l") && $0.contains(" \(target) -> \(link)") }, "\(link) -> \(target) in \(lines)")
            }
        }
    }

    @Test("/dev/null, /dev/zero and /dev/ptmx work")
    func devicesWork() throws {
        try withBundle { b in
            b.shell("echo x > /dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d ' ' && test -c /dev/pts/ptmx && echo pts")
            let r = try b.run()
            #expect(r.stdout == "00000000\npts\n", "\(r)")
        }
    }

    @Test("linux.devices adds nodes with their mode and owner")
    func extraDevices() throws {
        try withBundle { b in
            var l = b.linux
            l["devices"] = [["path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o640, "uid": 1000, "gid": 1000],
                            ["path": "/dev/myfifo", "type": "p", "fileMode": 0o600]]
            b.linux = l
            b.shell("ls -ln /dev/fuse /dev/myfifo | awk '{print $1, $3, $4, $5, $6}'")
            let r = try b.run()
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first == "crw-r----- 1000 1000 10, 229", "\(r)")
            #expect(lines.last?.hasPrefix("prw------- 0 0") == true, "\(r)")
        }
    }

    @Test("a linux.devices node opens only where a device rule allows it (as runc: the node gets no rule itself)")
    func nodeNeedsRule() throws {
        let node: [String: Any] = ["path": "/dev/roostkmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 0o600]
        try withBundle { b in
            var l = b.linux
            l["devices"] = [node]
            b.linux = l
            b.shell("echo roost-device-test > /dev/roostkmsg && echo opened")
            let r = try b.run()
            #expect(r.status != 0 && !r.stdout.contains("opened") && r.stderr.contains("Operation not permitted"), "\(r)")
        }
        try withBundle { b in
            var l = b.linux
            l["devices"] = [node]
            l["resources"] = ["devices": [["allow": false, "access": "rwm"], ["allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"]]]
            b.linux = l
            b.shell("echo roost-device-test > /dev/roostkmsg && echo opened")
            let r = try b.run()
            #expect(r.status == 0 && r.stdout == "opened\n", "\(r)")
        }
    }

    @Test("maskedPaths hide files and directories; missing ones are skipped")
    func masked() throws {
        try withBundle { b in
            var l = b.linux
            l["maskedPaths"] = ["/proc/kcore", "/proc/keys", "/sys/firmware", "/no/such/path"]
            b.linux = l
            b.shell("wc -c < /proc/keys; ls -A /sys/firmware | wc -l; grep -E ' /proc/keys | /sys/firmware ' /proc/self/mountinfo")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.prefix(2) == ["0", "0"], "\(r)")
            #expect(mountOptions(mountLine(r.stdout, "/sys/firmware")).perMount.contains("ro"), "\(r)")
        }
    }

    @Test("readonlyPaths become read-only")
    func readonly() throws {
        try withBundle { b in
            b.shell("(echo 1 > /proc/sys/kernel/ns_last_pid) 2>&1; grep ' /proc/sys ' /proc/self/mountinfo")
            let r = try b.run()
            #expect(r.stdout.contains("Read-only file system"), "\(r)")
            #expect(mountOptions(mountLine(r.stdout, "/proc/sys")).perMount.contains("ro"), "\(r)")
        }
    }

    @Test("linux.sysctl is written in the container's namespaces only")
    func sysctl() throws {
        try withBundle { b in
            var l = b.linux
            l["sysctl"] = ["net.ipv4.ip_forward": "1", "kernel.msgmax": "4096"]
            b.linux = l
            b.shell("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax")
            let hostForward = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8)
            let r = try b.run()
            #expect(r.stdout == "1\n4096\n", "\(r)")
            #expect(try String(contentsOfFile: "/proc/sys/net/ipv4/ip_forward", encoding: .utf8) == hostForward)
        }
    }
}
