import Glibc
import RoostDBus
import RoostLinux
import RoostSpec
import Testing
@testable import RoostCgroups

/// The systemd driver's naming and unit properties, as runc's (cgroups/systemd, specconv).
struct SystemdTests {
    @Test func expandSlice() throws {
        #expect(try CgroupSystemd.expandSlice("system.slice") == "/system.slice")
        #expect(try CgroupSystemd.expandSlice("a-b-c.slice") == "/a.slice/a-b.slice/a-b-c.slice")
        #expect(try CgroupSystemd.expandSlice("-.slice") == "/")
        for bad in ["", ".slice", "a--b.slice", "-a.slice", "a-.slice", "a/b.slice", "system"] {
            #expect(throws: CgroupError.self, "\(bad)") { try CgroupSystemd.expandSlice(bad) }
        }
    }

    @Test func paths() throws {
        let c = try CgroupSystemd.paths(cgroupsPath: "system.slice:docker:1234", id: "x")
        #expect(c.unit == "docker-1234.scope")
        #expect(c.slice == "system.slice")
        #expect(c.v2.path == "/sys/fs/cgroup/system.slice/docker-1234.scope")
        let d = try CgroupSystemd.paths(cgroupsPath: nil, id: "abc")
        #expect(d.unit == "runc-abc.scope")
        #expect(d.v2.path == "/sys/fs/cgroup/system.slice/runc-abc.scope")
        #expect(try CgroupSystemd.paths(cgroupsPath: "", id: "abc", rootless: true).slice == "user.slice")
        let e = try CgroupSystemd.paths(cgroupsPath: "machine-web.slice:roost:a", id: "x")
        #expect(e.v2.path == "/sys/fs/cgroup/machine.slice/machine-web.slice/roost-a.scope")
        // An empty slice is the default; a slice named outright is the unit itself.
        #expect(try CgroupSystemd.paths(cgroupsPath: ":p:n", id: "x").slice == "system.slice")
        #expect(try CgroupSystemd.paths(cgroupsPath: "system.slice::my.slice", id: "x").unit == "my.slice")
        #expect(throws: CgroupError.self) { try CgroupSystemd.paths(cgroupsPath: "/a/b", id: "x") }
        #expect(throws: CgroupError.self) { try CgroupSystemd.paths(cgroupsPath: "a:b", id: "x") }
        #expect(throws: CgroupError.self) { try CgroupSystemd.paths(cgroupsPath: "bad:p:n", id: "x") }
    }

    @Test func systemdNeedsUnified() throws {
        for mode in [Cgroup.Mode.hybrid, .legacy] {
            #expect(throws: CgroupError.self, "\(mode)") { try Cgroup.driver(cgroupsPath: nil, id: "x", mode: mode, systemd: true) }
        }
        #expect(try Cgroup.driver(cgroupsPath: nil, id: "x", mode: .unified, systemd: true).madeAroundProcess)
    }

    @Test func rangeToBits() throws {
        #expect(try CgroupSystemd.rangeToBits("0,2") == [0b101])
        #expect(try CgroupSystemd.rangeToBits("0-7") == [0xff])
        #expect(try CgroupSystemd.rangeToBits("8") == [0, 1])
        #expect(try CgroupSystemd.rangeToBits("1-2, 9") == [0b110, 0b10])
        #expect(throws: CgroupError.self) { try CgroupSystemd.rangeToBits("") }
    }

    @Test func cpuQuota() throws {
        // 50 ms per 100 ms: 500000 µs per second.
        #expect(try CgroupSystemd.cpuQuota(quota: 50_000, period: 100_000).map(\.1) == [.uint64(100_000), .uint64(500_000)])
        // 12345 µs per 100 ms is 123450 µs/s, rounded up to a whole percent: 130000.
        #expect(try CgroupSystemd.cpuQuota(quota: 12_345, period: 0).map(\.0) == ["CPUQuotaPerSecUSec"])
        #expect(try CgroupSystemd.cpuQuota(quota: 12_345, period: 0).map(\.1) == [.uint64(130_000)])
        #expect(try CgroupSystemd.cpuQuota(quota: -1, period: 100_000).last?.1 == .uint64(.max))
        #expect(try CgroupSystemd.cpuQuota(quota: 0, period: 0).isEmpty)
        // A quota whose µs per second do not fit in 64 bits is refused by its path, not a trap.
        let e = #expect(throws: CgroupError.self) { try CgroupSystemd.cpuQuota(quota: .max, period: 100_000) }
        #expect(e?.description.contains("linux.resources.cpu.quota") == true)
    }

    @Test func properties() throws {
        let c = try CgroupSystemd.paths(cgroupsPath: nil, id: "abc")
        var r = Spec.Resources()
        r.memory = .init(limit: 1 << 26, swap: 1 << 27)
        r.cpu = .init(shares: 1024, cpus: "0")
        r.pids = .init(limit: 0)
        var c2 = c
        c2.extraProperties = [.init("CollectMode", .string("inactive-or-failed"))]
        let p = try c2.properties(pid: 42, resources: r)
        #expect(p.map(\.0) == ["Description", "Slice", "Delegate", "PIDs", "MemoryAccounting", "CPUAccounting",
                                "IOAccounting", "TasksAccounting", "DefaultDependencies", "CollectMode",
                                "DeviceAllow", "DevicePolicy", "DeviceAllow",
                                "MemoryMax", "MemorySwapMax", "CPUWeight", "AllowedCPUs", "TasksMax"])
        let v = Dictionary(p, uniquingKeysWith: { a, _ in a })
        #expect(v["Description"] == .string("libcontainer container abc"))
        #expect(v["PIDs"] == .array(element: "u", [.uint32(42)]))
        #expect(v["Delegate"] == .bool(true))
        #expect(v["MemoryMax"] == .uint64(1 << 26))
        #expect(v["MemorySwapMax"] == .uint64(1 << 26))
        #expect(v["CPUWeight"] == .uint64(100))
        #expect(v["AllowedCPUs"] == .array(element: "y", [.byte(1)]))
        #expect(v["TasksMax"] == .uint64(1))
        // They marshal as StartTransientUnit's a(sv).
        #expect(DBusValue.properties(p).signature == "a(sv)")
    }

    func allow(_ entries: [(String, String)]) -> DBusValue {
        .array(element: "(ss)", entries.map { .structure([.string($0.0), .string($0.1)]) })
    }

    /// runc's systemdProperties: an empty DeviceAllow, DevicePolicy=strict, then the allow list.
    @Test func deviceProperties() throws {
        // runc's defaults alone: mknod of anything, then the standard nodes, in the emulator's
        // order (major, minor, type).
        let p = try CgroupSystemd.deviceProperties(nil, devices: nil)
        #expect(p.map(\.0) == ["DeviceAllow", "DevicePolicy", "DeviceAllow"])
        #expect(p[0].1 == .array(element: "(ss)", []))
        #expect(p[1].1 == .string("strict"))
        #expect(p[2].1 == allow([("block-*", "m"), ("char-*", "m"), ("/dev/char/1:3", "rwm"), ("/dev/char/1:5", "rwm"),
                                 ("/dev/char/1:7", "rwm"), ("/dev/char/1:8", "rwm"), ("/dev/char/1:9", "rwm"),
                                 ("/dev/char/5:0", "rwm"), ("/dev/char/5:2", "rwm"), ("/dev/char/10:200", "rwm"),
                                 ("char-136", "rwm")]))
        // A whole major and a "*:m" rule (which systemd cannot say: left to the eBPF program).
        var r = Spec.Resources()
        r.devices = [.init(allow: false, type: "a", access: "rwm"), .init(allow: true, type: "b", major: 8, access: "r"),
                     .init(allow: true, type: "c", minor: 3, access: "r")]
        let q = try CgroupSystemd.deviceProperties(r, devices: nil)
        guard case .array(_, let entries) = q[2].1 else { Issue.record("no allow list"); return }
        #expect(entries.contains(.structure([.string("block-8"), .string("r")])))
        #expect(entries.contains(.structure([.string("char-*"), .string("m")])))
        #expect(!entries.contains { e in
            guard case .structure(let f) = e, case .string(let path) = f[0] else { return false }
            return path.hasPrefix("char-") && f[1] == .string("r")
        })
        // Allow-all: DevicePolicy=auto and no list; allow-all with a deny: strict, nothing allowed.
        r.devices = [.init(allow: true, type: "a", access: "rwm")]
        #expect(try CgroupSystemd.deviceProperties(r, devices: nil).map(\.1) == [.array(element: "(ss)", []), .string("auto")])
        r.devices = [.init(allow: true, type: "a", access: "rwm"), .init(allow: false, type: "c", major: 4, minor: 1, access: "w")]
        #expect(try CgroupSystemd.deviceProperties(r, devices: nil).map(\.1) == [.array(element: "(ss)", []), .string("strict")])
    }

    /// runc's TestInitSystemdProps table, as roost reads the same annotations.
    @Test func annotationProperties() throws {
        func one(_ name: String, _ value: String) throws -> CgroupSystemd.UnitProperty? {
            try CgroupSystemd.annotationProperties([(name, value)]).first
        }
        let k = "org.systemd.property."
        #expect(try one(k + "TimeoutStopUSec", "uint64 123456789") == .init("TimeoutStopUSec", .uint64(123_456_789)))
        #expect(try one(k + "TimeoutStopSec", "456") == .init("TimeoutStopUSec", .uint64(456_000_000)))
        for t in ["byte", "int16", "uint16", "int32", "uint32", "int64", "uint64"] {
            #expect(try one(k + "TimeoutStopSec", "\(t) 234") == .init("TimeoutStopUSec", .uint64(234_000_000)), "\(t)")
        }
        #expect(try one(k + "TimeoutStopSec", "234.789") == .init("TimeoutStopUSec", .uint64(234_789_000)))
        #expect(throws: CgroupError.self) { try one(k + "TimeoutStopSec", "false") }
        #expect(throws: CgroupError.self) { try one(k + "TimeoutStopSec", "'covfefe'") }
        // Not a lowercase letter before Sec, or nothing before it: no conversion.
        #expect(try one(k + "FOOSec", "123") == .init("FOOSec", .int32(123)))
        #expect(try one(k + "Sec", "123") == .init("Sec", .int32(123)))
        #expect(try one(k + "CollectMode", "'inactive-or-failed'") == .init("CollectMode", .string("inactive-or-failed")))
        #expect(try one("some.other.annotation", "0") == nil)
        #expect(throws: CgroupError.self) { try one(k + "Xo", "1") }
        #expect(throws: CgroupError.self) { try one(k + "Number1", "1") }
        #expect(throws: CgroupError.self) { try one(k + "ValidName", "invalid-value") }
        // The error names the annotation by its JSON path.
        do throws(CgroupError) {
            _ = try CgroupSystemd.annotationProperties([(k + "ValidName", "invalid-value")])
            Issue.record("an invalid value was taken")
        } catch {
            #expect(error.path == "annotations[\"org.systemd.property.ValidName\"]")
        }
    }
}

/// GVariant's text format, the part unit-property annotations use.
struct GVariantTextTests {
    @Test func values() throws {
        #expect(try GVariantText.parse("true") == .bool(true))
        #expect(try GVariantText.parse(" 42 ") == .int32(42))
        #expect(try GVariantText.parse("-7") == .int32(-7))
        #expect(try GVariantText.parse("1.5") == .double(1.5))
        #expect(try GVariantText.parse("uint64 18446744073709551615") == .uint64(.max))
        #expect(try GVariantText.parse("byte 0x10") == .byte(16))
        #expect(try GVariantText.parse("'a b'") == .string("a b"))
        #expect(try GVariantText.parse("\"it's\"") == .string("it's"))
        #expect(try GVariantText.parse("objectpath '/a/b'") == .objectPath("/a/b"))
        #expect(try GVariantText.parse("['a', 'b']") == .array(element: "s", [.string("a"), .string("b")]))
        #expect(try GVariantText.parse("@as []") == .array(element: "s", []))
        #expect(try GVariantText.parse("@t 5") == .uint64(5))
        #expect(try GVariantText.parse("[uint32 1, 2]") == .array(element: "u", [.uint32(1), .uint32(2)]))
        for bad in ["", "invalid-value", "'open", "[1, 'a']", "[]", "byte 300", "1 2", "@s 5"] {
            #expect(throws: GVariantText.ParseError.self, "\(bad)") { try GVariantText.parse(bad) }
        }
    }
}

/// The driver against a real systemd, where it is PID 1 (the systemd VM lane): a scope for a
/// sleeping child, its limits in the scope's directory, and StopUnit taking it away.
let systemdBooted = getuid() == 0 && FileIO.isDirectory("/run/systemd/system")

@Suite(.enabled(if: systemdBooted, "systemd is not PID 1 here (no /run/systemd/system), or not root: the systemd VM lane runs this"))
struct SystemdDriverTests {
    func text(_ path: String) throws -> String { String(decoding: try FileIO.read(path), as: UTF8.self) }

    @Test func scopeForAProcess() throws {
        try scope(systemBus: DBusConnection.systemBus)
    }

    /// Without the system bus, root talks to systemd on its private socket (peer to peer: no
    /// Hello, no AddMatch, no destination), as go-systemd does.
    /// Six at once, each on its own connection: the first message on a fresh private-socket
    /// connection once went unanswered when it reached systemd in the same read as BEGIN
    /// (DBusConnection.authenticate), which parallel connections made likely.
    @Test(arguments: 0..<6)
    func scopeOverSystemdsPrivateSocket(_ n: Int) throws {
        try scope(systemBus: "/nonexistent/system_bus_socket", tag: "p\(n)-")
    }

    func scope(systemBus: String, tag: String = "") throws {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("60"), nil]
        defer { for p in argv { free(p) } }
        // The test process blocks SIGTERM, and a child inherits its mask: unblock it, or
        // systemd's StopUnit (SIGTERM, then SIGKILL only after 90 s) outlasts our wait.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK))
        try #require(posix_spawn(&pid, "/bin/sleep", nil, &attr, &argv, environ) == 0)
        defer { kill(pid, SIGKILL); var s: Int32 = 0; _ = waitpid(pid, &s, WNOHANG) }

        let c = try CgroupSystemd.paths(cgroupsPath: "system.slice:roost-test:\(tag)\(getpid())", id: "x")
        var r = Spec.Resources()
        r.memory = .init(limit: 64 << 20)
        r.pids = .init(limit: 50)
        r.cpu = .init(quota: 50_000, period: 100_000)
        try c.start(pid: pid, resources: r, systemBus: systemBus)
        #expect(c.v2.processes().contains(pid))
        #expect(try text(c.v2.path + "/memory.max").hasPrefix("67108864"))
        #expect(try text(c.v2.path + "/pids.max").hasPrefix("50"))
        #expect(try text(c.v2.path + "/cpu.max").hasPrefix("50000 100000"))
        // As runc's destroy: the processes are killed first, then the unit is stopped.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try c.stop(systemBus: systemBus)
        #expect(!FileIO.exists(c.v2.path))
    }

    @Test func missingPidFailsClearly() throws {
        let c = try CgroupSystemd.paths(cgroupsPath: "system.slice:roost-test:nopid\(getpid())", id: "x")
        // A scope with no process in it: systemd refuses it, and the error says so.
        do {
            try c.start(pid: 0x7fff_fff0, resources: nil)
            Issue.record("a scope for a missing PID started")
            try? c.stop()
        } catch {
            #expect(error.description.contains("roost-test-nopid"))
        }
    }
}
