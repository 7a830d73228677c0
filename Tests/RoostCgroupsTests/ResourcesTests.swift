import Glibc
import RoostLinux
import RoostSpec
import Testing
@testable import RoostCgroups

@Suite struct ResourcesTests {
    static let dir = "/cg/ctr"
    let cg = CgroupV2(root: "/cg", path: ResourcesTests.dir)

    /// A cgroup with every v2 interface file roost writes, all empty.
    func fake(_ extra: [String: String] = [:], without: [String] = []) -> FakeFiles {
        let names = [
            "pids.max", "memory.max", "memory.low", "memory.swap.max", "memory.current", "io.weight", "io.max",
            "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpuset.cpus", "cpuset.mems", "hugetlb.2MB.max",
            "hugetlb.2MB.rsvd.max", "hugetlb.1GB.max", "hugetlb.1GB.rsvd.max", "rdma.max", "cgroup.controllers",
            "memory.high", "cgroup.freeze",
        ]
        var files: [String: String] = [:]
        for n in names where !without.contains(n) { files[Self.dir + "/" + n] = "" }
        for (k, v) in extra { files[Self.dir + "/" + k] = v }
        return FakeFiles(files)
    }

    func apply(_ r: Spec.Resources?, devices: [Spec.Device]? = nil, _ fs: FakeFiles) throws(CgroupError) {
        try cg.apply(r, devices: devices, files: fs)
    }

    func failure(_ r: Spec.Resources, _ fs: FakeFiles) -> String? {
        do throws(CgroupError) {
            try apply(r, fs)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func nothingSetWritesNothing() throws {
        let fs = fake()
        try apply(Spec.Resources(memory: .init(), cpu: .init(), pids: .init(), blockIO: .init()), fs)
        try apply(nil, fs)
        #expect(fs.writes.isEmpty)
        #expect(fs.installed.isEmpty)
    }

    @Test func memory() throws {
        let fs = fake()
        try apply(Spec.Resources(memory: .init(limit: 1 << 30, reservation: 1 << 29, swap: 1 << 31)), fs)
        #expect(fs.log(below: Self.dir) == ["memory.swap.max=1073741824", "memory.max=1073741824", "memory.low=536870912"])
    }

    @Test func memoryUnlimitedSwapFollows() throws {
        let fs = fake()
        try apply(Spec.Resources(memory: .init(limit: -1)), fs)
        #expect(fs.log(below: Self.dir) == ["memory.swap.max=max", "memory.max=max"])
    }

    /// No swap accounting: setting it unlimited or off is no error (there is none anyway);
    /// a real swap limit is.
    @Test func swapWithoutAccounting() throws {
        let fs = fake(without: ["memory.swap.max"])
        try apply(Spec.Resources(memory: .init(limit: 100, swap: 100)), fs)
        #expect(fs.log(below: Self.dir) == ["memory.max=100"])
        let msg = failure(Spec.Resources(memory: .init(limit: 100, swap: 300)), fake(without: ["memory.swap.max"]))
        #expect(msg == "config.json: linux.resources.memory.swap: write \"200\" to /cg/ctr/memory.swap.max: No such file or directory (this kernel does not account swap)")
    }

    @Test func swapWithoutLimitIsRefused() {
        #expect(failure(Spec.Resources(memory: .init(swap: 300)), fake())
            == "config.json: linux.resources.memory.swap: cannot set a swap limit without linux.resources.memory.limit")
    }

    @Test func checkBeforeUpdate() {
        let msg = failure(Spec.Resources(memory: .init(limit: 4096, checkBeforeUpdate: true)), fake(["memory.current": "8192\n"]))
        #expect(msg == "config.json: linux.resources.memory.limit: memory limit 4096 is not above the current usage 8192")
        #expect(failure(Spec.Resources(memory: .init(limit: 16384, checkBeforeUpdate: true)), fake(["memory.current": "8192\n"])) == nil)
    }

    /// v1-only settings are ignored on v2, as runc's fs2 driver does.
    @Test func v1OnlySettingsIgnored() throws {
        let fs = fake()
        try apply(Spec.Resources(
            memory: .init(kernel: 1 << 20, swappiness: 10, disableOOMKiller: true),
            cpu: .init(realtimeRuntime: 1000, realtimePeriod: 10000),
            blockIO: .init(leafWeight: 300),
            network: .init(classID: 7, priorities: [.init(name: "eth0", priority: 1)])), fs)
        #expect(fs.writes.isEmpty)
    }

    @Test func cpu() throws {
        let fs = fake()
        try apply(Spec.Resources(cpu: .init(shares: 1024, quota: 50000, burst: 1000, period: 100000, cpus: "0-1", mems: "0", idle: 0)), fs)
        #expect(fs.log(below: Self.dir) == [
            "cpu.idle=0", "cpu.weight=100", "cpu.max.burst=1000", "cpu.max=50000 100000", "cpuset.cpus=0-1", "cpuset.mems=0",
        ])
    }

    /// A burst the old quota refuses (EINVAL) is written again once cpu.max is in.
    @Test func burstRetriedAfterQuota() throws {
        let fs = fake()
        fs.failures[Self.dir + "/cpu.max.burst"] = EINVAL
        do throws(CgroupError) {
            try apply(Spec.Resources(cpu: .init(quota: 50000, burst: 1000)), fs)
            Issue.record("the second burst write should fail too (the fake still refuses it)")
        } catch {
            #expect(error.path == "linux.resources.cpu.burst")
        }
        #expect(fs.log(below: Self.dir) == ["cpu.max=50000 100000"])
        fs.failures = [:]
        fs.writes = []
        try apply(Spec.Resources(cpu: .init(burst: 1000)), fs)
        #expect(fs.log(below: Self.dir) == ["cpu.max.burst=1000"])
    }

    @Test func pids() throws {
        for (limit, text) in [(Int64(64), "64"), (-1, "max"), (0, "1")] {
            let fs = fake()
            try apply(Spec.Resources(pids: .init(limit: limit)), fs)
            #expect(fs.log(below: Self.dir) == ["pids.max=\(text)"])
        }
    }

    @Test func ioWithoutBFQ() throws {
        let fs = fake()
        try apply(Spec.Resources(blockIO: .init(
            weight: 500, weightDevice: [.init(major: 8, minor: 0, weight: 100)],
            throttleReadBpsDevice: [.init(major: 8, minor: 0, rate: 1000)], throttleWriteIOPSDevice: [.init(major: 8, minor: 0, rate: 20)])), fs)
        // No io.bfq.weight: io.weight gets the converted weight, and per-device weights are skipped.
        #expect(fs.log(below: Self.dir) == ["io.weight=4950", "io.max=8:0 rbps=1000", "io.max=8:0 wiops=20"])
    }

    @Test func ioWithBFQ() throws {
        let fs = fake(["io.bfq.weight": "default 100\n"])
        try apply(Spec.Resources(blockIO: .init(weight: 500, weightDevice: [.init(major: 8, minor: 0, weight: 300)])), fs)
        #expect(fs.log(below: Self.dir) == ["io.bfq.weight=500", "io.bfq.weight=8:0 300\n"])
        // An old kernel's io.bfq.weight holds one number: no per-device weights.
        let old = fake(["io.bfq.weight": "100\n"])
        try apply(Spec.Resources(blockIO: .init(weight: 500, weightDevice: [.init(major: 8, minor: 0, weight: 300)])), old)
        #expect(old.log(below: Self.dir) == ["io.bfq.weight=500"])
    }

    @Test func hugetlbWithAndWithoutReservations() throws {
        let fs = fake()
        try apply(Spec.Resources(hugepageLimits: [.init(pageSize: "2MB", limit: 4 << 21), .init(pageSize: "1GB", limit: 1 << 30)]), fs)
        #expect(fs.log(below: Self.dir) == [
            "hugetlb.2MB.max=8388608", "hugetlb.2MB.rsvd.max=8388608", "hugetlb.1GB.max=1073741824", "hugetlb.1GB.rsvd.max=1073741824",
        ])
        let old = fake(without: ["hugetlb.2MB.rsvd.max", "hugetlb.1GB.rsvd.max"])
        try apply(Spec.Resources(hugepageLimits: [.init(pageSize: "2MB", limit: 4 << 21), .init(pageSize: "1GB", limit: 1 << 30)]), old)
        #expect(old.log(below: Self.dir) == ["hugetlb.2MB.max=8388608", "hugetlb.1GB.max=1073741824"])
    }

    @Test func missingControllerNamesItsPath() {
        let msg = failure(Spec.Resources(hugepageLimits: [.init(pageSize: "64KB", limit: 1)]), fake())
        #expect(msg == "config.json: linux.resources.hugepageLimits[0]: write \"1\" to /cg/ctr/hugetlb.64KB.max: No such file or directory (the hugetlb controller is not enabled for this cgroup)")
    }

    @Test func rdma() throws {
        let fs = fake()
        try apply(Spec.Resources(rdma: ["mlx5_0": .init(hcaHandles: 3, hcaObjects: 1000), "mlx4_0": .init(hcaObjects: 5)]), fs)
        #expect(fs.log(below: Self.dir) == ["rdma.max=mlx5_0 hca_handle=3 hca_object=1000", "rdma.max=mlx4_0 hca_object=5"])
    }

    @Test func unifiedWrittenLastAndByLine() throws {
        let fs = fake()
        try apply(Spec.Resources(pids: .init(limit: 5), unified: ["memory.high": "1000", "pids.max": "10", "cgroup.freeze": "0\n1\n"]), fs)
        #expect(fs.log(below: Self.dir) == ["pids.max=5", "memory.high=1000", "pids.max=10", "cgroup.freeze=0\n", "cgroup.freeze=1\n"])
    }

    @Test func unifiedErrors() {
        #expect(failure(Spec.Resources(unified: ["../memory.max": "1"]), fake())
            == "config.json: linux.resources.unified.../memory.max: must be a file name (no slashes)")
        #expect(failure(Spec.Resources(unified: ["nodot": "1"]), fake())
            == "config.json: linux.resources.unified.nodot: must be a file name of the form CONTROLLER.PARAMETER")
        #expect(failure(Spec.Resources(unified: ["io.latency": "8:0 target=10"]), fake(["cgroup.controllers": "cpu memory pids\n"]))
            == "config.json: linux.resources.unified.io.latency: cannot be set: the io controller is not available in /cg/ctr")
        // The controller is there but the file is not: the plain error.
        #expect(failure(Spec.Resources(unified: ["memory.oom.group": "1"]), fake(["cgroup.controllers": "cpu memory pids\n"]))
            == "config.json: linux.resources.unified.memory.oom.group: write \"1\" to /cg/ctr/memory.oom.group: No such file or directory (the memory controller is not enabled for this cgroup)")
    }

    /// Devices: the program goes on the cgroup directory; nil devices and no rules (an update)
    /// leave the filter alone.
    @Test func devicesInstallAndUpdate() throws {
        let fs = fake()
        try apply(Spec.Resources(pids: .init(limit: 5)), devices: nil, fs)
        #expect(fs.installed.isEmpty)
        try apply(Spec.Resources(devices: [.init(allow: false, access: "rwm")]), devices: [], fs)
        #expect(fs.installed.count == 1)
        #expect(fs.installed.first?.dir == Self.dir)
        let expected = DeviceFilter.program(try DevicePolicy(DeviceRule.forContainer([.init(allow: false, access: "rwm")], [])))
        #expect(fs.installed.first?.program == expected)
    }

    @Test func deviceFilterFailureIsAnError() {
        let fs = fake()
        fs.installErrno = EPERM
        do throws(CgroupError) {
            try apply(Spec.Resources(devices: [.init(allow: false, access: "rwm")]), devices: [], fs)
            // Only acceptable inside a user namespace, where runc skips the filter too.
            #expect(runningInUserNamespace(), "a failed device filter outside a user namespace must be an error")
        } catch {
            #expect(error.description == "config.json: linux.resources.devices: cannot install the cgroup v2 device filter: bpf(BPF_PROG_LOAD) /cg/ctr: Operation not permitted")
        }
    }
}

@Suite struct CreateTests {
    /// Controllers are enabled from the root down to the container's parent, all at once.
    @Test func enablesControllersDownTheTree() throws {
        let fs = FakeFiles([
            "/cg/cgroup.controllers": "cpu memory pids\n", "/cg/cgroup.subtree_control": "",
            "/cg/a/cgroup.controllers": "cpu memory pids\n", "/cg/a/cgroup.subtree_control": "",
        ], dirs: ["/cg", "/cg/a"])
        try CgroupV2(root: "/cg", path: "/cg/a/b/ctr").create(resources: nil, files: fs)
        #expect(fs.dirs.isSuperset(of: ["/cg/a/b", "/cg/a/b/ctr"]))
        #expect(fs.log(below: "/cg") == ["cgroup.subtree_control=+cpu +memory +pids", "a/cgroup.subtree_control=+cpu +memory +pids"])
    }

    /// When the one write is refused, each controller is tried alone.
    @Test func oneByOneFallback() throws {
        let fs = FakeFiles(["/cg/cgroup.controllers": "cpu io\n", "/cg/cgroup.subtree_control": ""], dirs: ["/cg"])
        final class Refusing: CgroupFiles {
            let inner: FakeFiles
            init(_ inner: FakeFiles) { self.inner = inner }
            func read(_ p: String) throws(SyscallError) -> String { try inner.read(p) }
            func write(_ p: String, _ v: String) throws(SyscallError) {
                if v.contains(" ") || v == "+io" { throw SyscallError("write", p, errno: EINVAL) }
                try inner.write(p, v)
            }
            func exists(_ p: String) -> Bool { inner.exists(p) }
            func makeDirectory(_ p: String) throws(SyscallError) -> Bool { try inner.makeDirectory(p) }
            func removeDirectory(_ p: String) { inner.removeDirectory(p) }
            func list(_ p: String) -> [String] { inner.list(p) }
            func installDeviceFilter(_ program: [BPFInstruction], on dir: String) throws(SyscallError) {}
        }
        try CgroupV2(root: "/cg", path: "/cg/ctr").create(resources: nil, files: Refusing(fs))
        #expect(fs.log(below: "/cg") == ["cgroup.subtree_control=+cpu"])
    }

    /// A threaded parent refuses domain controllers (and the directories made are removed);
    /// a "domain invalid" one is made threaded when only threaded controllers are wanted.
    @Test func threadedSubtrees() throws {
        let fs = FakeFiles(["/cg/t/cgroup.type": "threaded\n"], dirs: ["/cg", "/cg/t"])
        do throws(CgroupError) {
            try CgroupV2(root: "/cg", path: "/cg/t/x/ctr").create(resources: Spec.Resources(memory: .init(limit: 1)), files: fs)
            Issue.record("memory below a threaded cgroup must be refused")
        } catch {
            #expect(error.description == "config.json: linux.cgroupsPath: cannot use /cg/t with domain controllers: its cgroup.type is \"threaded\"")
        }
        #expect(fs.dirs == ["/cg", "/cg/t"])

        let invalid = FakeFiles(["/cg/ctr/cgroup.type": "domain invalid\n"], dirs: ["/cg", "/cg/ctr"])
        try CgroupV2(root: "/cg", path: "/cg/ctr").create(resources: Spec.Resources(pids: .init(limit: 5)), files: invalid)
        #expect(invalid.files["/cg/ctr/cgroup.type"] == "threaded")
    }

    @Test func outsideTheRootIsRefused() {
        do throws(CgroupError) {
            try CgroupV2(root: "/cg", path: "/cgx/ctr").create(resources: nil, files: FakeFiles())
            Issue.record("a path outside the mount must be refused")
        } catch {
            #expect(error.path == "linux.cgroupsPath")
        }
    }

    /// The host file path: a temporary directory standing in for the cgroup root.
    @Test func onARealDirectory() throws {
        let root = temporaryDirectory()
        defer { removeRecursively(root) }
        writeFile(root + "/cgroup.controllers", "memory pids\n")
        writeFile(root + "/cgroup.subtree_control", "")
        let cg = CgroupV2(root: root, path: root + "/pod/ctr")
        try cg.create()
        #expect(FileIO.isDirectory(root + "/pod/ctr"))
        #expect(readFile(root + "/cgroup.subtree_control") == "+memory +pids")
        writeFile(root + "/pod/ctr/pids.max", "")
        try cg.apply(Spec.Resources(pids: .init(limit: 42)), devices: nil)
        #expect(readFile(root + "/pod/ctr/pids.max") == "42")
        writeFile(root + "/pod/ctr/cgroup.procs", "12\n34\n")
        _ = mkdir(root + "/pod/ctr/sub", 0o755)
        writeFile(root + "/pod/ctr/sub/cgroup.procs", "56\n")
        #expect(cg.processes().sorted() == [12, 34, 56])
        #expect(cg.freezerState() == nil)
        #expect(!cg.canFreeze)
    }
}
