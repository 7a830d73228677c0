import RoostLinux
import RoostSpec

// Device access on cgroup v2 (runc's fs2/devices.go): no files, an eBPF program attached to
// the directory, compiled from the config's rules and runc's defaults (DeviceFilter).

extension CgroupV2Files {
    func setDevices(_ configRules: [Spec.DeviceCgroup], _ devices: [Spec.Device]) throws(CgroupError) {
        let rules = DeviceRule.forContainer(configRules, devices)
        let program = DeviceFilter.program(try DevicePolicy(rules))
        do { try files.installDeviceFilter(program, on: dir) } catch {
            // runc's canSkipEBPFError: in a user namespace bpf(2) is not ours to call, and
            // a filter of nothing but rwm allows would add nothing.
            let onlyAllows = rules.allSatisfy { $0.allow && DeviceAccess($0.access) == .all }
            if !(runningInUserNamespace() || onlyAllows) {
                throw CgroupError(path: "linux.resources.devices", problem: "cannot install the cgroup v2 device filter: \(error)")
            }
        }
    }
}

/// Whether this process is in a user namespace other than the initial one (runc's
/// userns.RunningInUserNS: the initial namespace maps all 2^32-1 ids from 0).
func runningInUserNamespace() -> Bool {
    guard let b = try? FileIO.read("/proc/self/uid_map") else { return false }
    let f = String(decoding: b, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
    return !(f.count == 3 && f[0] == "0" && f[1] == "0" && f[2] == "4294967295")
}
