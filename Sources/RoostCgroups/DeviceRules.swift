import RoostSpec

/// Access a device rule grants or denies, with the kernel's BPF_DEVCG_ACC_* bit values so the
/// v2 filter can compare it with the access the kernel asks about.
public struct DeviceAccess: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let mknod = DeviceAccess(rawValue: 1)
    public static let read = DeviceAccess(rawValue: 2)
    public static let write = DeviceAccess(rawValue: 4)
    public static let all: DeviceAccess = [.read, .write, .mknod]

    /// The r, w and m of `text`; any other letter is ignored, as runc's Permissions.toSet
    /// ignores it ("rwa" is "rw").
    public init(_ text: String) {
        var bits: DeviceAccess = []
        for c in text {
            switch c {
            case "r": bits.insert(.read)
            case "w": bits.insert(.write)
            case "m": bits.insert(.mknod)
            default: break
            }
        }
        self = bits
    }

    public var text: String {
        (contains(.read) ? "r" : "") + (contains(.write) ? "w" : "") + (contains(.mknod) ? "m" : "")
    }
}

/// One device-cgroup rule in the order the container gets them: the config's
/// `linux.resources.devices`, then runc's defaults.
/// Both drivers read this one list: v1 writes it to devices.allow/deny, v2 compiles it to eBPF.
public struct DeviceRule: Sendable, Equatable {
    public var allow: Bool
    /// "a" (all devices: the rule resets the whole policy), "b" or "c".
    public var type: String
    /// nil or negative: any (runc's -1 wildcard).
    public var major: Int64?
    public var minor: Int64?
    /// As written in the config ("rwm" when absent).
    public var access: String
    /// Where the rule came from, for errors.
    public var jsonPath: String

    public init(allow: Bool, type: String, major: Int64?, minor: Int64?, access: String, jsonPath: String) {
        self.allow = allow
        self.type = type
        self.major = major
        self.minor = minor
        self.access = access
        self.jsonPath = jsonPath
    }

    /// The v1 devices.allow/devices.deny line.
    var v1Text: String {
        if type == "a" && major == nil && minor == nil { return "a" }
        let ma = major.map { $0 < 0 ? "*" : String($0) } ?? "*"
        let mi = minor.map { $0 < 0 ? "*" : String($0) } ?? "*"
        return "\(type) \(ma):\(mi) \(DeviceAccess(access).text)"
    }

    /// The rules for a container, as runc's specconv makes them: `rules`
    /// (linux.resources.devices) in order, then runc's AllowedDevices (mknod of any node, and
    /// null, random, full, tty, zero, urandom, the pty slaves, ptmx, tun) less those whose path a
    /// `linux.devices` node takes over. A `linux.devices` node gets no rule of its own: the
    /// config must allow it (engines add both).
    public static func forContainer(_ rules: [Spec.DeviceCgroup], _ devices: [Spec.Device]) -> [DeviceRule] {
        var out: [DeviceRule] = []
        for (i, r) in rules.enumerated() {
            out.append(DeviceRule(allow: r.allow, type: r.type ?? "a", major: r.major, minor: r.minor,
                                  access: r.access ?? "rwm", jsonPath: "linux.resources.devices[\(i)]"))
        }
        let redefined = Set(devices.map(\.path))
        return out + runcDefaults.filter { $0.path.map { !redefined.contains($0) } ?? true }.map(\.rule)
    }

    /// runc's AllowedDevices (libcontainer/specconv/spec_linux.go), in its order, with the
    /// node path of those that have one.
    public static let runcDefaults: [(path: String?, rule: DeviceRule)] = [
        (nil, "c", nil, nil, "m"), (nil, "b", nil, nil, "m"), ("/dev/null", "c", 1, 3, "rwm"),
        ("/dev/random", "c", 1, 8, "rwm"), ("/dev/full", "c", 1, 7, "rwm"), ("/dev/tty", "c", 5, 0, "rwm"),
        ("/dev/zero", "c", 1, 5, "rwm"), ("/dev/urandom", "c", 1, 9, "rwm"), (nil, "c", 136, nil, "rwm"),
        (nil, "c", 5, 2, "rwm"), (nil, "c", 10, 200, "rwm"),
    ].map { (p: String?, t: String, ma: Int64?, mi: Int64?, a: String) in
        (p, DeviceRule(allow: true, type: t, major: ma, minor: mi, access: a, jsonPath: "linux.resources.devices"))
    }
}

/// The device policy a list of rules leaves, worked out as cgroup v1's devices controller would
/// (runc's devices emulator, which runc uses to build the v2 program so both versions agree):
/// an "a" rule resets to allow-all or deny-all; other rules add or remove exceptions to that
/// default, per (type, major, minor) and access; removing part of a wildcard exception is
/// refused, since v1 would silently ignore it.
public struct DevicePolicy: Sendable, Equatable {
    public struct Match: Sendable, Hashable, Comparable {
        /// "b" or "c".
        public var type: Character
        /// -1: any.
        public var major: Int64
        public var minor: Int64

        public init(type: Character, major: Int64, minor: Int64) {
            self.type = type
            self.major = major
            self.minor = minor
        }

        /// runc's order: major, then minor, then type.
        public static func < (a: Match, b: Match) -> Bool {
            (a.major, a.minor, a.type) < (b.major, b.minor, b.type)
        }

        var text: String {
            "\(type) \(major < 0 ? "*" : String(major)):\(minor < 0 ? "*" : String(minor))"
        }
    }

    /// What a device matching no exception gets.
    public var defaultAllow = false
    /// Exceptions to the default, each with the access it covers.
    public var exceptions: [Match: DeviceAccess] = [:]

    public init() {}

    public init(_ rules: [DeviceRule]) throws(CgroupError) {
        for rule in rules { try apply(rule) }
    }

    public mutating func apply(_ rule: DeviceRule) throws(CgroupError) {
        // A rule that grants or denies none of r, w and m changes nothing (runc's emulator).
        let access = DeviceAccess(rule.access)
        if access.isEmpty { return }
        let type: Character
        switch rule.type {
        case "a":
            defaultAllow = rule.allow
            exceptions = [:]
            return
        case "b": type = "b"
        case "c": type = "c"
        default:
            throw CgroupError(path: rule.jsonPath + ".type", problem: "invalid device type \(rule.type.debugDescription) (expected a, b or c)")
        }
        func number(_ v: Int64?, _ field: String) throws(CgroupError) -> Int64 {
            guard let v, v >= 0 else { return -1 }
            if v > Int64(UInt32.max) { throw CgroupError(path: rule.jsonPath + "." + field, problem: "\(v) is out of range") }
            return v
        }
        let match = Match(type: type, major: try number(rule.major, "major"), minor: try number(rule.minor, "minor"))
        if rule.allow != defaultAllow {
            exceptions[match, default: []].formUnion(access)
            return
        }
        // Taking access away from an exception: refuse when a broader exception also grants it.
        for wider in [Match(type: type, major: -1, minor: match.minor), Match(type: type, major: match.major, minor: -1),
                      Match(type: type, major: -1, minor: -1)] where wider != match {
            let overlap = (exceptions[wider] ?? []).intersection(access)
            if !overlap.isEmpty {
                throw CgroupError(
                    path: rule.jsonPath,
                    problem: "cannot \(rule.allow ? "allow" : "deny") \(match.text) \(access.text) inside the wider rule \(wider.text) \((exceptions[wider] ?? []).text) (cgroup v1 would ignore it)")
            }
        }
        let left = (exceptions[match] ?? []).subtracting(access)
        exceptions[match] = left.isEmpty ? nil : left
    }

    /// Whether an access (one or more bits) to a device is allowed: under deny-all, when one
    /// allow exception covers all of it; under allow-all, unless a deny exception covers any
    /// of it (see DeviceFilter.program).
    public func allows(type: Character, major: Int64, minor: Int64, access: DeviceAccess) -> Bool {
        for (m, listed) in exceptions where m.type == type && (m.major < 0 || m.major == major) && (m.minor < 0 || m.minor == minor) {
            if defaultAllow && !listed.isDisjoint(with: access) { return false }
            if !defaultAllow && listed.isSuperset(of: access) { return true }
        }
        return defaultAllow
    }

    /// The exceptions in runc's order.
    public var sortedExceptions: [(Match, DeviceAccess)] {
        exceptions.keys.sorted().map { ($0, exceptions[$0]!) }
    }
}
