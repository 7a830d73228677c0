import RoostSpec

// The devices controller on cgroup v1 (runc's fs/devices.go): devices.allow and devices.deny.

extension CgroupV1 {
    /// v1 device rules in order (DeviceRule.forContainer): the config's, then runc's defaults;
    /// `a` (all) for a rule without type and numbers.
    func setDevices(_ rules: [Spec.DeviceCgroup], _ devices: [Spec.Device]) throws(CgroupError) {
        guard directory("devices") != nil else { return }
        for rule in DeviceRule.forContainer(rules, devices) {
            try write("devices", rule.allow ? "devices.allow" : "devices.deny", rule.v1Text, rule.jsonPath)
        }
    }
}
