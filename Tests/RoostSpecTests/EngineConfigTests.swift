import RoostSpec
import Testing

/// A config the size an engine (Docker, containerd, CRI-O) writes: a full
/// seccomp profile, many mounts, annotations.
func engineSizedConfig(syscalls: Int = 300, mounts: Int = 40, annotations: Int = 30) -> String {
    var spec = Spec.runcDefault(cgroupNamespace: true)
    spec.process?.terminal = false
    spec.process?.env = (0..<12).map { "VAR_\($0)=value-\($0)" }
    spec.process?.capabilities?.inheritable = []
    spec.process?.apparmorProfile = "docker-default"
    spec.process?.oomScoreAdj = 0
    var allMounts = spec.mounts ?? []
    for i in allMounts.count..<mounts {
        allMounts.append(
            Spec.Mount(
                destination: "/var/lib/app/volume-\(i)", type: "bind",
                source: "/var/lib/engine/volumes/\(i)/_data", options: ["rbind", "rprivate", "nosuid", "nodev"]))
    }
    spec.mounts = allMounts
    spec.annotations = OrderedMap((0..<annotations).map { ("io.kubernetes.cri.annotation-\($0)", "value \($0) <&>") })
    spec.linux?.sysctl = ["net.ipv4.ip_unprivileged_port_start": "0", "net.ipv4.ping_group_range": "0 2147483647"]
    spec.linux?.cgroupsPath = "system.slice:docker:0123456789abcdef"
    spec.linux?.resources?.memory = Spec.Memory(limit: 536_870_912, swap: 1_073_741_824)
    spec.linux?.resources?.cpu = Spec.CPU(shares: 1024, quota: 50000, period: 100_000)
    spec.linux?.resources?.pids = Spec.Pids(limit: 4096)
    let names = (0..<syscalls).map { "syscall_\($0)" }
    spec.linux?.seccomp = Spec.Seccomp(
        defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
        architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        syscalls: [
            Spec.Syscall(names: names, action: "SCMP_ACT_ALLOW"),
            Spec.Syscall(
                names: ["personality"], action: "SCMP_ACT_ALLOW",
                args: [Spec.SeccompArg(index: 0, value: 0, op: "SCMP_CMP_EQ")]),
            Spec.Syscall(
                names: ["clone"], action: "SCMP_ACT_ALLOW",
                args: [Spec.SeccompArg(index: 0, value: 2_114_060_288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")]),
        ])
    return spec.marshalIndented()
}

@Suite("Engine-sized configs")
struct EngineConfigTests {
    @Test("a ~20 KB engine config with 300 syscalls, 40 mounts and annotations decodes")
    func engineConfig() throws {
        let json = engineSizedConfig()
        let bytes = Array(json.utf8)
        #expect(bytes.count > 15_000)
        #expect(bytes.count < 30_000)

        let clock = ContinuousClock()
        var spec: Spec?
        let elapsed = try clock.measure {
            spec = try Spec.decode(bytes)
        }
        let decoded = try #require(spec)
        #expect(decoded.linux?.seccomp?.syscalls?.first?.names.count == 300)
        #expect(decoded.mounts?.count == 40)
        #expect(decoded.annotations?.count == 30)
        #expect(decoded.annotations?["io.kubernetes.cri.annotation-7"] == "value 7 <&>")
        #expect(decoded.marshalIndented() == json)
        // Generous even for a debug build; release numbers are in the report.
        #expect(elapsed < .seconds(1))
    }

    @Test("decode timing, for the record (run in release to compare)")
    func timing() throws {
        for (name, json) in [
            ("3 KB default", Spec.runcDefault(cgroupNamespace: true).marshalIndented()),
            ("20 KB engine", engineSizedConfig()),
        ] {
            let bytes = Array(json.utf8)
            let iterations = 200
            let clock = ContinuousClock()
            _ = try Spec.decode(bytes)
            let elapsed = try clock.measure {
                for _ in 0..<iterations {
                    _ = try Spec.decode(bytes)
                }
            }
            let perDecode = elapsed / iterations
            print("RoostSpec decode \(name) (\(bytes.count) bytes): \(perDecode) per decode")
        }
    }
}
