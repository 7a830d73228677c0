import ArgumentParser
import Glibc
import RoostLinux
import RoostRuntime
import RoostSpec

/// `roost update [flags] ID`: runc's flags, or `-r FILE|-` with a linux.resources JSON.
struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "update", abstract: "update container resource constraints")

    @Option(name: [.customShort("r"), .long], help: "path to a file with the resources JSON, or - for stdin") var resources: String?
    @Option(name: .customLong("blkio-weight")) var blkioWeight: UInt16?
    @Option(name: .customLong("cpu-period")) var cpuPeriod: UInt64?
    @Option(name: .customLong("cpu-quota")) var cpuQuota: Int64?
    @Option(name: .customLong("cpu-burst")) var cpuBurst: UInt64?
    @Option(name: .customLong("cpu-share")) var cpuShare: UInt64?
    @Option(name: .customLong("cpu-rt-period")) var cpuRtPeriod: UInt64?
    @Option(name: .customLong("cpu-rt-runtime")) var cpuRtRuntime: Int64?
    @Option(name: .customLong("cpuset-cpus")) var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems")) var cpusetMems: String?
    @Option(name: .customLong("cpu-idle")) var cpuIdle: Int64?
    @Option(name: .customLong("memory"), help: "memory limit in bytes (suffixes k, m, g; -1 for none)") var memory: String?
    @Option(name: .customLong("memory-reservation")) var memoryReservation: String?
    @Option(name: .customLong("memory-swap")) var memorySwap: String?
    @Option(name: .customLong("kernel-memory")) var kernelMemory: String?
    @Option(name: .customLong("kernel-memory-tcp")) var kernelMemoryTCP: String?
    @Option(name: .customLong("pids-limit")) var pidsLimit: Int64?
    @Option(name: .customLong("l3-cache-schema")) var l3CacheSchema: String?
    @Option(name: .customLong("mem-bw-schema")) var memBwSchema: String?
    @Argument var id: String

    func run() {
        ColdCommands.guarded {
            try Container.update(id: id, stateRoot: ColdCommands.root, resources: try buildResources())
        }
    }

    private func buildResources() throws -> Spec.Resources {
        if let file = resources {
            var bytes: [UInt8] = []
            if file == "-" {
                bytes = (try? FileIO.readAll(0, "stdin")) ?? []
            } else {
                do { bytes = try FileIO.read(file) } catch { throw UsageError(description: "update: -r \(file): \(error)") }
            }
            // The resources decode through the spec model, wrapped as a config's linux.resources.
            let wrapped = Array(#"{"ociVersion":"1.3.0","linux":{"resources":"#.utf8) + bytes + Array("}}".utf8)
            do throws(SpecError) {
                return try Spec.decodeWithoutValidation(wrapped, file: file).linux?.resources ?? Spec.Resources()
            } catch {
                throw UsageError(description: "update: -r \(file): \(error.problem)")
            }
        }
        if l3CacheSchema != nil || memBwSchema != nil {
            throw UsageError(description: "update: --l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by roost yet")
        }
        var r = Spec.Resources()
        func bytes(_ flag: String, _ v: String?) throws -> Int64? {
            guard let v else { return nil }
            guard let n = parseRAM(v) else { throw UsageError(description: "update: invalid value for \(flag): \(v)") }
            return n
        }
        var memory = Spec.Memory()
        memory.limit = try bytes("memory", self.memory)
        memory.reservation = try bytes("memory-reservation", memoryReservation)
        memory.swap = try bytes("memory-swap", memorySwap)
        if kernelMemory != nil || kernelMemoryTCP != nil { Diagnostics.warn("kernel memory settings are ignored") }
        // matches runc: --memory -1 lifts the swap limit too.
        if memory.limit == -1 && memory.swap == nil { memory.swap = -1 }
        if memory != Spec.Memory() { r.memory = memory }
        var cpu = Spec.CPU()
        cpu.period = cpuPeriod
        cpu.quota = cpuQuota
        cpu.burst = cpuBurst
        cpu.shares = cpuShare
        cpu.realtimePeriod = cpuRtPeriod
        cpu.realtimeRuntime = cpuRtRuntime
        cpu.cpus = cpusetCpus
        cpu.mems = cpusetMems
        cpu.idle = cpuIdle
        if cpu != Spec.CPU() { r.cpu = cpu }
        if let w = blkioWeight { r.blockIO = Spec.BlockIO(weight: w) }
        if let p = pidsLimit { r.pids = Spec.Pids(limit: p) }
        return r
    }
}

/// Byte counts as runc's update takes them: a number with an optional binary suffix (k, m, g, t,
/// p, with or without b/ib), or -1.
func parseRAM(_ text: String) -> Int64? {
    if text == "-1" { return -1 }
    var s = Substring(text.lowercased())
    for suffix in ["ib", "b"] where s.hasSuffix(suffix) && s.count > suffix.count { s = s.dropLast(suffix.count) }
    let units: [Character: Double] = ["k": 1024, "m": 1_048_576, "g": 1_073_741_824, "t": 1_099_511_627_776, "p": 1_125_899_906_842_624]
    var multiplier = 1.0
    if let last = s.last, let m = units[last] { multiplier = m; s = s.dropLast() }
    guard let value = Double(s), value >= 0 else { return nil }
    return Int64(value * multiplier)
}
