import Glibc
import RoostLinux
import RoostRuntime
import RoostSpec

/// `roost update [flags] ID`: runc's flags, or `-r FILE|-` with a linux.resources JSON.
enum UpdateCommand {
    static func run(_ a: ParsedArguments, _ g: GlobalContext) throws -> Int32 {
        try Container.update(id: a.positionals[0], stateRoot: g.root, resources: try resources(a))
        return 0
    }

    /// A flag's value as a number of the field's type; runc's error when it is not one.
    private static func number<T: FixedWidthInteger>(_ a: ParsedArguments, _ flag: String, as: T.Type = T.self) throws -> T? {
        guard let text = a.value(flag) else { return nil }
        guard let v = T(text) else { throw UsageError(description: "update: invalid value for \(flag): \(text)") }
        return v
    }

    private static func resources(_ a: ParsedArguments) throws -> Spec.Resources {
        let resources = a.value("resources")
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
        if a.value("l3-cache-schema") != nil || a.value("mem-bw-schema") != nil {
            throw UsageError(description: "update: --l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by roost yet")
        }
        var r = Spec.Resources()
        func bytes(_ flag: String, _ v: String?) throws -> Int64? {
            guard let v else { return nil }
            guard let n = parseRAM(v) else { throw UsageError(description: "update: invalid value for \(flag): \(v)") }
            return n
        }
        var memory = Spec.Memory()
        memory.limit = try bytes("memory", a.value("memory"))
        memory.reservation = try bytes("memory-reservation", a.value("memory-reservation"))
        memory.swap = try bytes("memory-swap", a.value("memory-swap"))
        if a.value("kernel-memory") != nil || a.value("kernel-memory-tcp") != nil { Diagnostics.warn("kernel memory settings are ignored") }
        // matches runc: --memory -1 lifts the swap limit too.
        if memory.limit == -1 && memory.swap == nil { memory.swap = -1 }
        if memory != Spec.Memory() { r.memory = memory }
        var cpu = Spec.CPU()
        cpu.period = try number(a, "cpu-period")
        cpu.quota = try number(a, "cpu-quota")
        cpu.burst = try number(a, "cpu-burst")
        cpu.shares = try number(a, "cpu-share")
        cpu.realtimePeriod = try number(a, "cpu-rt-period")
        cpu.realtimeRuntime = try number(a, "cpu-rt-runtime")
        cpu.cpus = a.value("cpuset-cpus")
        cpu.mems = a.value("cpuset-mems")
        cpu.idle = try number(a, "cpu-idle")
        if cpu != Spec.CPU() { r.cpu = cpu }
        if let w: UInt16 = try number(a, "blkio-weight") { r.blockIO = Spec.BlockIO(weight: w) }
        if let p: Int64 = try number(a, "pids-limit") { r.pids = Spec.Pids(limit: p) }
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
