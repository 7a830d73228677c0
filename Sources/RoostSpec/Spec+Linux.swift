extension Spec {
    /// The `linux` section.
    public struct Linux: Sendable, Equatable {
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        /// Written in this order; keys may use '/' separators (sysctl.d style).
        public var sysctl: OrderedMap<String>?
        public var resources: Resources?
        public var cgroupsPath: String?
        public var namespaces: [Namespace]?
        public var devices: [Device]?
        /// Host interface name → settings in the container.
        public var netDevices: OrderedMap<NetDevice>?
        public var seccomp: Seccomp?
        public var rootfsPropagation: String?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        public var mountLabel: String?
        public var intelRdt: IntelRdt?
        public var memoryPolicy: MemoryPolicy?
        public var personality: Personality?
        /// Clock name ("monotonic", "boottime") → offset.
        public var timeOffsets: OrderedMap<TimeOffset>?

        public init(
            uidMappings: [IDMapping]? = nil,
            gidMappings: [IDMapping]? = nil,
            sysctl: OrderedMap<String>? = nil,
            resources: Resources? = nil,
            cgroupsPath: String? = nil,
            namespaces: [Namespace]? = nil,
            devices: [Device]? = nil,
            netDevices: OrderedMap<NetDevice>? = nil,
            seccomp: Seccomp? = nil,
            rootfsPropagation: String? = nil,
            maskedPaths: [String]? = nil,
            readonlyPaths: [String]? = nil,
            mountLabel: String? = nil,
            intelRdt: IntelRdt? = nil,
            memoryPolicy: MemoryPolicy? = nil,
            personality: Personality? = nil,
            timeOffsets: OrderedMap<TimeOffset>? = nil
        ) {
            self.uidMappings = uidMappings
            self.gidMappings = gidMappings
            self.sysctl = sysctl
            self.resources = resources
            self.cgroupsPath = cgroupsPath
            self.namespaces = namespaces
            self.devices = devices
            self.netDevices = netDevices
            self.seccomp = seccomp
            self.rootfsPropagation = rootfsPropagation
            self.maskedPaths = maskedPaths
            self.readonlyPaths = readonlyPaths
            self.mountLabel = mountLabel
            self.intelRdt = intelRdt
            self.memoryPolicy = memoryPolicy
            self.personality = personality
            self.timeOffsets = timeOffsets
        }

        /// The entry for a namespace type, if the config asks for one (new or joined).
        public func namespace(_ type: NamespaceType) -> Namespace? {
            namespaces?.first { $0.type == type }
        }
    }

    public struct Namespace: Sendable, Equatable {
        public var type: NamespaceType
        /// A namespace file to join; nil (or empty) creates a new namespace.
        public var path: String?

        public init(type: NamespaceType, path: String? = nil) {
            self.type = type
            self.path = path
        }

        /// A path to join, treating "" as absent the way runc does.
        public var joinPath: String? {
            guard let path, !path.isEmpty else { return nil }
            return path
        }
    }

    /// LinuxIDMapping: `size` ids from `containerID` map to `hostID` onwards.
    public struct IDMapping: Sendable, Equatable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32

        public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
            self.containerID = containerID
            self.hostID = hostID
            self.size = size
        }
    }

    public struct TimeOffset: Sendable, Equatable {
        public var secs: Int64?
        public var nanosecs: UInt32?

        public init(secs: Int64? = nil, nanosecs: UInt32? = nil) {
            self.secs = secs
            self.nanosecs = nanosecs
        }
    }

    /// A device node to create in the container.
    public struct Device: Sendable, Equatable {
        public var path: String
        /// "c", "b", "u" or "p".
        public var type: String
        /// Decoding requires major and minor unless the type is "p".
        public var major: Int64
        public var minor: Int64
        /// Permission bits (decimal in JSON).
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?

        public init(
            path: String, type: String, major: Int64 = 0, minor: Int64 = 0, fileMode: UInt32? = nil,
            uid: UInt32? = nil, gid: UInt32? = nil
        ) {
            self.path = path
            self.type = type
            self.major = major
            self.minor = minor
            self.fileMode = fileMode
            self.uid = uid
            self.gid = gid
        }
    }

    public struct NetDevice: Sendable, Equatable {
        /// The name inside the container; nil keeps the host name.
        public var name: String?

        public init(name: String? = nil) {
            self.name = name
        }
    }

    public struct IntelRdt: Sendable, Equatable {
        public var closID: String?
        public var schemata: [String]?
        public var l3CacheSchema: String?
        public var memBwSchema: String?
        public var enableMonitoring: Bool?

        public init(
            closID: String? = nil, schemata: [String]? = nil, l3CacheSchema: String? = nil,
            memBwSchema: String? = nil, enableMonitoring: Bool? = nil
        ) {
            self.closID = closID
            self.schemata = schemata
            self.l3CacheSchema = l3CacheSchema
            self.memBwSchema = memBwSchema
            self.enableMonitoring = enableMonitoring
        }
    }

    /// set_mempolicy(2) input.
    public struct MemoryPolicy: Sendable, Equatable {
        /// "MPOL_DEFAULT", "MPOL_BIND", ...; see `Spec.MemoryPolicy.knownModes`.
        public var mode: String
        /// A node list such as "0-3,7".
        public var nodes: String?
        public var flags: [String]?

        public init(mode: String, nodes: String? = nil, flags: [String]? = nil) {
            self.mode = mode
            self.nodes = nodes
            self.flags = flags
        }
    }

    public struct Personality: Sendable, Equatable {
        /// "LINUX" or "LINUX32".
        public var domain: String
        public var flags: [String]?

        public init(domain: String, flags: [String]? = nil) {
            self.domain = domain
            self.flags = flags
        }
    }
}

extension Spec.Linux: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = [
        "uidMappings", "gidMappings", "sysctl", "resources", "cgroupsPath", "namespaces", "devices", "netDevices",
        "seccomp", "rootfsPropagation", "maskedPaths", "readonlyPaths", "mountLabel", "intelRdt", "memoryPolicy",
        "personality", "timeOffsets",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "uidMappings": uidMappings = try Decode.objects(&reader)
        case "gidMappings": gidMappings = try Decode.objects(&reader)
        case "sysctl": sysctl = try Decode.map(&reader, Decode.string)
        case "resources": resources = try Decode.object(&reader)
        case "cgroupsPath": cgroupsPath = try Decode.string(&reader)
        case "namespaces": namespaces = try Decode.objects(&reader)
        case "devices": devices = try Decode.objects(&reader)
        case "netDevices":
            netDevices = try Decode.objectMap(&reader)
        case "seccomp": seccomp = try Decode.object(&reader)
        case "rootfsPropagation": rootfsPropagation = try Decode.string(&reader)
        case "maskedPaths": maskedPaths = try Decode.strings(&reader)
        case "readonlyPaths": readonlyPaths = try Decode.strings(&reader)
        case "mountLabel": mountLabel = try Decode.string(&reader)
        case "intelRdt": intelRdt = try Decode.object(&reader)
        case "memoryPolicy": memoryPolicy = try Decode.object(&reader)
        case "personality": personality = try Decode.object(&reader)
        case "timeOffsets":
            timeOffsets = try Decode.objectMap(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("uidMappings", uidMappings)
        o.add("gidMappings", gidMappings)
        o.add("sysctl", sysctl)
        o.add("resources", resources)
        o.add("cgroupsPath", cgroupsPath)
        o.add("namespaces", namespaces)
        o.add("devices", devices)
        o.add("netDevices", netDevices)
        o.add("seccomp", seccomp)
        o.add("rootfsPropagation", rootfsPropagation)
        o.add("maskedPaths", maskedPaths)
        o.add("readonlyPaths", readonlyPaths)
        o.add("mountLabel", mountLabel)
        o.add("intelRdt", intelRdt)
        o.add("memoryPolicy", memoryPolicy)
        o.add("personality", personality)
        o.add("timeOffsets", timeOffsets)
        return o.value
    }
}

extension Spec.Namespace: SpecObject {
    // The placeholder type is never seen: a namespace without "type" fails decoding.
    static var decodingDefault: Self { .init(type: .pid) }
    static let fieldNames = ["type", "path"]
    static var checksPresence: Bool { true }

    func checkPresence(_ seen: [String]) throws(SpecError) {
        if !seen.contains("type") {
            throw SpecError("type", "is required")
        }
    }

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "type":
            let name = try Decode.string(&reader)
            guard let parsed = NamespaceType(rawValue: name) else {
                throw SpecError("", "unknown namespace type \(quoted(name))")
            }
            type = parsed
        case "path": path = try Decode.string(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("type", type)
        o.add("path", path)
        return o.value
    }
}

extension Spec.IDMapping: SpecObject {
    static var decodingDefault: Self { .init(containerID: 0, hostID: 0, size: 0) }
    static let fieldNames = ["containerID", "hostID", "size"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "containerID": containerID = try Decode.integer(&reader)
        case "hostID": hostID = try Decode.integer(&reader)
        case "size": size = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("containerID", containerID)
        o.add("hostID", hostID)
        o.add("size", size)
        return o.value
    }
}

extension Spec.TimeOffset: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["secs", "nanosecs"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "secs": secs = try Decode.integer(&reader)
        case "nanosecs": nanosecs = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("secs", secs)
        o.add("nanosecs", nanosecs)
        return o.value
    }
}

extension Spec.Device: SpecObject {
    static var decodingDefault: Self { .init(path: "", type: "") }
    static let fieldNames = ["path", "type", "major", "minor", "fileMode", "uid", "gid"]
    static var checksPresence: Bool { true }

    /// The spec makes major and minor REQUIRED unless the type is "p"; only
    /// decoding can tell an absent number from 0.
    func checkPresence(_ seen: [String]) throws(SpecError) {
        // Unknown types are reported by validation, with a better message.
        guard type == "c" || type == "b" || type == "u" else { return }
        for field in ["major", "minor"] where !seen.contains(field) {
            throw SpecError(field, "is required for device type \(quoted(type))")
        }
    }

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "path": path = try Decode.string(&reader)
        case "type": type = try Decode.string(&reader)
        case "major": major = try Decode.integer(&reader)
        case "minor": minor = try Decode.integer(&reader)
        case "fileMode": fileMode = try Decode.integer(&reader)
        case "uid": uid = try Decode.integer(&reader)
        case "gid": gid = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("path", path)
        o.add("type", type)
        o.add("major", major)
        o.add("minor", minor)
        o.add("fileMode", fileMode)
        o.add("uid", uid)
        o.add("gid", gid)
        return o.value
    }
}

extension Spec.NetDevice: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["name"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "name": name = try Decode.string(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("name", name)
        return o.value
    }
}

extension Spec.IntelRdt: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["closID", "schemata", "l3CacheSchema", "memBwSchema", "enableMonitoring"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "closID": closID = try Decode.string(&reader)
        case "schemata": schemata = try Decode.strings(&reader)
        case "l3CacheSchema": l3CacheSchema = try Decode.string(&reader)
        case "memBwSchema": memBwSchema = try Decode.string(&reader)
        case "enableMonitoring": enableMonitoring = try Decode.bool(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("closID", closID)
        o.add("schemata", schemata)
        o.add("l3CacheSchema", l3CacheSchema)
        o.add("memBwSchema", memBwSchema)
        o.add("enableMonitoring", enableMonitoring)
        return o.value
    }
}

extension Spec.MemoryPolicy: SpecObject {
    static var decodingDefault: Self { .init(mode: "") }
    static let fieldNames = ["mode", "nodes", "flags"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "mode": mode = try Decode.string(&reader)
        case "nodes": nodes = try Decode.string(&reader)
        case "flags": flags = try Decode.strings(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("mode", mode)
        o.add("nodes", nodes)
        o.add("flags", flags)
        return o.value
    }
}

extension Spec.Personality: SpecObject {
    static var decodingDefault: Self { .init(domain: "") }
    static let fieldNames = ["domain", "flags"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "domain": domain = try Decode.string(&reader)
        case "flags": flags = try Decode.strings(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("domain", domain)
        o.add("flags", flags)
        return o.value
    }
}
