import RoostSpec
import Testing
@testable import RoostCgroups

@Suite struct StatsTests {
    let cg = CgroupV2(root: "/cg", path: "/cg/ctr")

    func files(_ pairs: [String: String]) -> FakeFiles {
        FakeFiles(Dictionary(uniqueKeysWithValues: pairs.map { ("/cg/ctr/" + $0.key, $0.value) }))
    }

    /// The v1 driver's JSON shape, with runc's v2 sources: µs → ns, memory+swap for swap,
    /// io.stat split into bytes and ios, "max" pids as 0.
    @Test func fullCgroup() {
        let fs = files([
            "cpu.stat": "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 2\nthrottled_usec 30\n",
            "memory.current": "4096\n", "memory.max": "8192\n", "memory.peak": "6000\n",
            "memory.swap.current": "100\n", "memory.swap.max": "max\n",
            "memory.stat": "anon 1000\nfile 3000\n",
            "pids.current": "3\n", "pids.max": "max\n",
            "io.stat": "8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n",
            "hugetlb.2MB.current": "0\n", "hugetlb.2MB.rsvd.current": "2097152\n", "hugetlb.2MB.events": "max 4\n",
            "hugetlb.2MB.rsvd.max": "max\n",
        ])
        let json = cg.stats(files: fs).serialized()
        #expect(json == #"{"cpu":{"usage":{"total":1500000,"kernel":500000,"user":1000000},"throttling":{"periods":10,"throttledPeriods":2,"throttledTime":30000}},"memory":{"cache":3000,"usage":{"usage":4096,"max":6000,"failcnt":0,"limit":8192},"swap":{"usage":4196,"max":0,"failcnt":0,"limit":18446744073709551615},"raw":{"anon":1000,"file":3000}},"pids":{"current":3,"limit":0},"blkio":{"ioServiceBytesRecursive":[{"major":8,"minor":0,"op":"Read","value":10},{"major":8,"minor":0,"op":"Write","value":20}],"ioServicedRecursive":[{"major":8,"minor":0,"op":"Read","value":1},{"major":8,"minor":0,"op":"Write","value":2}]},"hugetlb":{"2MB":{"usage":2097152,"max":0,"failcnt":4}}}"#)
    }

    /// Without the pids controller the processes are counted; without memory or io nothing is made up.
    @Test func sparseCgroup() {
        let fs = files(["cpu.stat": "usage_usec 7\n", "cgroup.procs": "1\n2\n"])
        #expect(cg.stats(files: fs).serialized() == #"{"cpu":{"usage":{"total":7000,"kernel":0,"user":0},"throttling":{"periods":0,"throttledPeriods":0,"throttledTime":0}},"pids":{"current":2,"limit":0}}"#)
    }

    @Test func swapLimitAddsTheMemoryLimit() {
        let fs = files(["memory.current": "10\n", "memory.max": "100\n", "memory.swap.current": "5\n", "memory.swap.max": "50\n"])
        let swap = cg.stats(files: fs)["memory"]?["swap"]
        #expect(swap?["limit"] == .integer(150))
        #expect(swap?["usage"] == .integer(15))
    }

    @Test func oomKills() {
        #expect(cg.oomKills(files: files(["memory.events": "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n"])) == 2)
        #expect(cg.oomKills(files: files([:])) == 0)
    }
}
