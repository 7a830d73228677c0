import Foundation
import RoostTestSupport
import Testing

/// The mountinfo line of `point` as the container sees it.
func mountLine(_ mountinfo: String, _ point: String) -> Substring? {
    mountinfo.split(separator: "\n").last { $0.split(separator: " ").dropFirst(4).first.map(String.init) == point }
}

/// Options of a mountinfo line: the per-mount ones (field 6) and the superblock ones (last field).
func mountOptions(_ line: Substring?) -> (perMount: Set<String>, fs: String, superOptions: Set<String>) {
    guard let line else { return ([], "", []) }
    let f = line.split(separator: " ")
    let dash = f.firstIndex(of: "-") ?? f.endIndex
    return (Set(f[5].split(separator: ",").map(String.init)), dash + 1 < f.count ? String(f[dash + 1]) : "",
        Set((f.last ?? "").split(separator: ",").map(String.init)))
}

@Suite("the root and mounts", needsContainers)
struct MountTests {
    @Test("pivot_root makes the rootfs `/`, and root.readonly makes it read-only")
    func pivotAndReadonly() throws {
        try withBundle { b in
            b.shell("cat /proc/self/mountinfo; touch /x 2>&1 && echo WROTE; true")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let root = mountOptions(mountLine(r.stdout, "/"))
            #expect(root.perMount.contains("ro"), "\(r)")
            #expect(r.stdout.contains("Read-only file system"), "\(r)")
            #expect(!r.stdout.contains("WROTE"))
            // The host's own mounts are gone with the old root: none of its mount points is listed
            // (a hybrid host's cgroup2 at /sys/fs/cgroup/unified is not mounted by runc either).
            let points = Set(r.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst(4).first.map(String.init) })
            #expect(!points.contains("/sys/fs/cgroup/unified") && !points.contains("/run") && !points.contains("/work"), "\(points)")
        }
    }

    /// runc 1.5: a tmpfs takes the mode of the directory it covers, unless its options say
    /// `mode=`; over a directory roost makes, it is tmpfs's 1777.
    @Test("a tmpfs takes the mode of the directory it covers; mode= wins; a new directory gets 1777")
    func tmpfsMode() throws {
        try withBundle { b in
            #expect(sh("mkdir -p \(b.rootfs)/inherit \(b.rootfs)/explicit && chmod 0710 \(b.rootfs)/inherit \(b.rootfs)/explicit").status == 0)
            b.mounts += [
                ["destination": "/inherit", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]],
                ["destination": "/explicit", "type": "tmpfs", "source": "tmpfs", "options": ["mode=1500"]],
                ["destination": "/fresh", "type": "tmpfs", "source": "tmpfs"],
            ]
            b.shell("stat -c %a /inherit /explicit /fresh")
            let r = try b.run()
            #expect(r.status == 0 && r.stdout == "710\n1500\n1777\n", "\(r)")
        }
    }

    @Test("--no-pivot moves the rootfs onto / and chroots")
    func noPivot() throws {
        try withBundle { b in
            b.config["root"] = ["path": "rootfs", "readonly": false]
            b.shell("touch /written && echo ok; ls /")
            let r = try b.run(["--no-pivot"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.hasPrefix("ok\n"), "\(r)")
            #expect(FileManager.default.fileExists(atPath: b.rootfs + "/written"))
        }
    }

    @Test("the default spec's mounts have runc's types and options")
    func defaultMounts() throws {
        try withBundle { b in
            b.setArgs(["cat", "/proc/self/mountinfo"])
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let expected: [(String, String, Set<String>)] = [
                ("/proc", "proc", []), ("/dev", "tmpfs", ["nosuid"]), ("/dev/pts", "devpts", ["nosuid", "noexec"]),
                ("/dev/shm", "tmpfs", ["nosuid", "nodev", "noexec"]), ("/dev/mqueue", "mqueue", ["nosuid", "nodev", "noexec"]),
                ("/sys", "sysfs", ["ro", "nosuid", "nodev", "noexec"]), 
                // v1: a tmpfs holding the hierarchies; cgroup2-only: cgroup2 itself, read-only.
                TestEnvironment.isCgroup2Only ? ("/sys/fs/cgroup", "cgroup2", ["ro", "nosuid", "nodev", "noexec"]) : ("/sys/fs/cgroup", "tmpfs", ["nosuid", "nodev", "noexec"]),
            ]
            for (point, fs, options) in expected {
                let m = mountOptions(mountLine(r.stdout, point))
                #expect(m.fs == fs, "\(point): \(m)")
                #expect(options.isSubset(of: m.perMount), "\(point): \(m.perMount) lacks \(options)")
            }
            let pts = mountOptions(mountLine(r.stdout, "/dev/pts"))
            #expect(pts.superOptions.isSuperset(of: ["gid=5", "mode=620", "ptmxmode=666"]), "\(pts)")
            #expect(mountOptions(mountLine(r.stdout, "/dev")).superOptions.contains("size=65536k"))
        }
    }

    @Test("on cgroup v1, /sys/fs/cgroup holds one read-only mount per hierarchy, as runc's",
        .enabled(if: FileManager.default.fileExists(atPath: "/sys/fs/cgroup/memory"), "host is not cgroup v1"))
    func cgroupV1() throws {
        try withBundle { b in
            b.shell("ls /sys/fs/cgroup; grep ' /sys/fs/cgroup/' /proc/self/mountinfo")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            for name in ["cpu", "memory", "pids", "devices", "freezer", "systemd"] where FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\(name)") {
                #expect(r.stdout.split(separator: "\n").contains(Substring(name)), "\(name) missing: \(r)")
                let m = mountOptions(mountLine(r.stdout, "/sys/fs/cgroup/\(name)"))
                #expect(m.fs == "cgroup" && m.perMount.contains("ro"), "\(name): \(m)")
            }
        }
    }

    @Test("bind mounts from the host take their options", arguments: [
        (["bind", "ro"], ["ro"]), (["rbind", "nosuid", "nodev", "noexec"], ["rw", "nosuid", "nodev", "noexec"]),
        (["bind", "rw", "noatime"], ["rw", "noatime"]),
    ])
    func bindOptions(options: [String], expected: [String]) throws {
        try withBundle { b in
            let host = b.path + "/hostdir"
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            try "from host\n".write(toFile: host + "/file", atomically: true, encoding: .utf8)
            b.mounts.append(["destination": "/mnt/host", "type": "bind", "source": host, "options": options])
            b.shell("cat /mnt/host/file; grep ' /mnt/host ' /proc/self/mountinfo")
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.hasPrefix("from host\n"), "\(r)")
            let m = mountOptions(mountLine(r.stdout, "/mnt/host"))
            #expect(Set(expected).isSubset(of: m.perMount), "\(options): \(m.perMount)")
        }
    }

    @Test("a relative bind source is relative to the bundle, and a file can be bound")
    func relativeFileBind() throws {
        try withBundle { b in
            try "a file\n".write(toFile: b.path + "/data.txt", atomically: true, encoding: .utf8)
            b.mounts.append(["destination": "/etc/data.txt", "type": "bind", "source": "data.txt", "options": ["bind", "ro"]])
            b.setArgs(["cat", "/etc/data.txt"])
            let r = try b.run()
            #expect(r.stdout == "a file\n", "\(r)")
        }
    }

    @Test("rbind with rro makes submounts read-only too")
    func recursiveReadonly() throws {
        try withBundle { b in
            let host = b.path + "/outer"
            try FileManager.default.createDirectory(atPath: host + "/inner", withIntermediateDirectories: true)
            #expect(sh("mount -t tmpfs tmpfs \(host)/inner").status == 0)
            b.onTeardown { sh("umount -l \(host)/inner") }
            b.mounts.append(["destination": "/outer", "type": "bind", "source": host, "options": ["rbind", "rro"]])
            b.shell("grep -E ' /outer(/inner)? ' /proc/self/mountinfo")
            let r = try b.run()
            #expect(mountOptions(mountLine(r.stdout, "/outer")).perMount.contains("ro"), "\(r)")
            #expect(mountOptions(mountLine(r.stdout, "/outer/inner")).perMount.contains("ro"), "\(r)")
        }
    }

    @Test("mount propagation options and linux.rootfsPropagation apply")
    func propagation() throws {
        try withBundle { b in
            let host = b.path + "/shared"
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            b.mounts.append(["destination": "/shared", "type": "bind", "source": host, "options": ["rbind", "rprivate"]])
            var l = b.linux
            l["rootfsPropagation"] = "shared"
            b.linux = l
            b.setArgs(["cat", "/proc/self/mountinfo"])
            let r = try b.run()
            #expect(r.status == 0, "\(r)")
            let root = mountLine(r.stdout, "/").map(String.init) ?? ""
            #expect(root.contains("shared:"), "root: \(root)")
            let shared = mountLine(r.stdout, "/shared").map(String.init) ?? ""
            #expect(!shared.contains("shared:") && !shared.contains("master:"), "/shared: \(shared)")
        }
    }

    @Test("a tmpfs with data options gets them")
    func tmpfsData() throws {
        try withBundle { b in
            b.mounts.append(["destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=700"]])
            b.shell("stat -c %a /scratch; grep ' /scratch ' /proc/self/mountinfo")
            let r = try b.run()
            #expect(r.stdout.hasPrefix("700\n"), "\(r)")
            let m = mountOptions(mountLine(r.stdout, "/scratch"))
            #expect(m.superOptions.contains("size=1024k"), "\(m)")
        }
    }

    @Test("a read-only tmpfs is read-only once set up")
    func readonlyTmpfs() throws {
        try withBundle { b in
            b.mounts.append(["destination": "/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]])
            b.shell("touch /ro/x 2>&1; grep ' /ro ' /proc/self/mountinfo")
            let r = try b.run()
            #expect(r.stdout.contains("Read-only file system"), "\(r)")
            #expect(mountOptions(mountLine(r.stdout, "/ro")).perMount.contains("ro"))
        }
    }
}
