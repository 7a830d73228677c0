import RoostSpec
import Testing
@testable import RoostCgroups

@Suite struct ConversionTests {
    /// runc 1.5's quadratic shares→weight curve: its three anchors (2→1, 1024→100,
    /// 262144→10000) and points in between, computed independently with Python's libm.
    /// (runc before 1.3 used a straight line: 1024 gave 39.)
    @Test(arguments: [
        (UInt64(0), UInt64(0)), (1, 1), (2, 1), (3, 2), (10, 4), (100, 17), (512, 59), (1024, 100), (2048, 174),
        (4096, 303), (10000, 627), (262_143, 10000), (262_144, 10000), (1_000_000, 10000),
    ])
    func cpuWeight(shares: UInt64, weight: UInt64) {
        #expect(CgroupConversions.cpuWeight(shares: shares) == weight)
    }

    /// Linear [10, 1000] → [1, 10000] in integer arithmetic.
    @Test(arguments: [(UInt16(0), UInt64(0)), (10, 1), (100, 910), (500, 4950), (1000, 10000)])
    func ioWeight(blkio: UInt16, io: UInt64) {
        #expect(CgroupConversions.ioWeight(blkioWeight: blkio) == io)
    }

    @Test(arguments: [
        // (swap, limit) → swap alone
        (Int64(0), Int64(0), Int64(0)), (0, -1, -1), (-1, 100, -1), (0, 100, 0), (300, -1, 300), (300, 100, 200),
        (100, 100, 0),
    ])
    func swap(swap: Int64, limit: Int64, expected: Int64) throws {
        #expect(try CgroupConversions.swap(swap, limit: limit) == expected)
    }

    @Test(arguments: [
        (Int64(300), Int64(0), "config.json: linux.resources.memory.swap: cannot set a swap limit without linux.resources.memory.limit"),
        (300, -5, "config.json: linux.resources.memory.limit: invalid memory limit -5"),
        (50, 100, "config.json: linux.resources.memory.swap: memory+swap limit 50 is below linux.resources.memory.limit 100"),
    ])
    func swapErrors(swap: Int64, limit: Int64, message: String) {
        do throws(CgroupError) {
            _ = try CgroupConversions.swap(swap, limit: limit)
            Issue.record("no error for swap \(swap) limit \(limit)")
        } catch {
            #expect(error.description == message)
        }
    }

    /// memory.swap.max's text: nil leaves it alone; equal limits disable swap.
    @Test func swapMaxText() throws {
        #expect(try CgroupConversions.swapMaxText(swap: nil, limit: nil) == nil)
        #expect(try CgroupConversions.swapMaxText(swap: nil, limit: 100) == nil)
        #expect(try CgroupConversions.swapMaxText(swap: nil, limit: -1) == "max")
        #expect(try CgroupConversions.swapMaxText(swap: 100, limit: 100) == "0")
        #expect(try CgroupConversions.swapMaxText(swap: 1 << 31, limit: 1 << 30) == "1073741824")
        #expect(try CgroupConversions.swapMaxText(swap: -1, limit: 100) == "max")
    }

    @Test func cpuMax() {
        #expect(CgroupConversions.cpuMax(quota: nil, period: nil) == nil)
        #expect(CgroupConversions.cpuMax(quota: 0, period: 0) == nil)
        #expect(CgroupConversions.cpuMax(quota: 50000, period: nil) == "50000 100000")
        #expect(CgroupConversions.cpuMax(quota: 50000, period: 200000) == "50000 200000")
        #expect(CgroupConversions.cpuMax(quota: -1, period: nil) == "max 100000")
        #expect(CgroupConversions.cpuMax(quota: nil, period: 2000) == "max 2000")
    }

    @Test func pidsMax() {
        #expect(CgroupConversions.pidsMax(100) == "100")
        #expect(CgroupConversions.pidsMax(-1) == "max")
        #expect(CgroupConversions.pidsMax(0) == "1")
    }

    @Test func limitText() {
        #expect(CgroupConversions.limitText(0) == nil)
        #expect(CgroupConversions.limitText(-1) == "max")
        #expect(CgroupConversions.limitText(1 << 20) == "1048576")
    }

    /// One key per io.max write, runc's order, each with its JSON path.
    @Test func ioMax() {
        let b = Spec.BlockIO(
            throttleReadBpsDevice: [.init(major: 8, minor: 0, rate: 1_048_576), .init(major: 8, minor: 16, rate: 10)],
            throttleWriteBpsDevice: [.init(major: 8, minor: 0, rate: 2048)],
            throttleReadIOPSDevice: [.init(major: 259, minor: 0, rate: 100)],
            throttleWriteIOPSDevice: [.init(major: 259, minor: 0, rate: 50)])
        let got = CgroupConversions.ioMax(b)
        #expect(got.map(\.line) == ["8:0 rbps=1048576", "8:16 rbps=10", "8:0 wbps=2048", "259:0 riops=100", "259:0 wiops=50"])
        #expect(got.map(\.jsonPath) == [
            "linux.resources.blockIO.throttleReadBpsDevice[0]", "linux.resources.blockIO.throttleReadBpsDevice[1]",
            "linux.resources.blockIO.throttleWriteBpsDevice[0]", "linux.resources.blockIO.throttleReadIOPSDevice[0]",
            "linux.resources.blockIO.throttleWriteIOPSDevice[0]",
        ])
        #expect(CgroupConversions.ioMax(Spec.BlockIO(weight: 100)).isEmpty)
    }
}
