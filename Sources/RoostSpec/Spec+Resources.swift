extension Spec {
    /// Cgroup limits (`linux.resources`); all fields of the Go type.
    public struct Resources: Sendable, Equatable {
        /// Device cgroup rules, applied in order.
        public var devices: [DeviceCgroup]?
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public var blockIO: BlockIO?
        public var hugepageLimits: [HugepageLimit]?
        public var network: Network?
        /// Device name → limits.
        public var rdma: OrderedMap<Rdma>?
        /// cgroup v2 file name → content, written verbatim.
        public var unified: OrderedMap<String>?

        public init(
            devices: [DeviceCgroup]? = nil, memory: Memory? = nil, cpu: CPU? = nil, pids: Pids? = nil,
            blockIO: BlockIO? = nil, hugepageLimits: [HugepageLimit]? = nil, network: Network? = nil,
            rdma: OrderedMap<Rdma>? = nil, unified: OrderedMap<String>? = nil
        ) {
            self.devices = devices
            self.memory = memory
            self.cpu = cpu
            self.pids = pids
            self.blockIO = blockIO
            self.hugepageLimits = hugepageLimits
            self.network = network
            self.rdma = rdma
            self.unified = unified
        }
    }

    /// LinuxDeviceCgroup: one allow/deny rule.
    public struct DeviceCgroup: Sendable, Equatable {
        public var allow: Bool
        /// "a", "b" or "c"; nil means "a".
        public var type: String?
        /// nil means any (-1 in runc).
        public var major: Int64?
        public var minor: Int64?
        /// Some of "rwm".
        public var access: String?

        public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
            self.allow = allow
            self.type = type
            self.major = major
            self.minor = minor
            self.access = access
        }
    }

    public struct Memory: Sendable, Equatable {
        public var limit: Int64?
        public var reservation: Int64?
        public var swap: Int64?
        /// Deprecated by the spec; runc ignores it with a warning.
        public var kernel: Int64?
        public var kernelTCP: Int64?
        public var swappiness: UInt64?
        public var disableOOMKiller: Bool?
        public var useHierarchy: Bool?
        public var checkBeforeUpdate: Bool?

        public init(
            limit: Int64? = nil, reservation: Int64? = nil, swap: Int64? = nil, kernel: Int64? = nil,
            kernelTCP: Int64? = nil, swappiness: UInt64? = nil, disableOOMKiller: Bool? = nil,
            useHierarchy: Bool? = nil, checkBeforeUpdate: Bool? = nil
        ) {
            self.limit = limit
            self.reservation = reservation
            self.swap = swap
            self.kernel = kernel
            self.kernelTCP = kernelTCP
            self.swappiness = swappiness
            self.disableOOMKiller = disableOOMKiller
            self.useHierarchy = useHierarchy
            self.checkBeforeUpdate = checkBeforeUpdate
        }
    }

    public struct CPU: Sendable, Equatable {
        public var shares: UInt64?
        public var quota: Int64?
        public var burst: UInt64?
        public var period: UInt64?
        public var realtimeRuntime: Int64?
        public var realtimePeriod: UInt64?
        public var cpus: String?
        public var mems: String?
        public var idle: Int64?

        public init(
            shares: UInt64? = nil, quota: Int64? = nil, burst: UInt64? = nil, period: UInt64? = nil,
            realtimeRuntime: Int64? = nil, realtimePeriod: UInt64? = nil, cpus: String? = nil, mems: String? = nil,
            idle: Int64? = nil
        ) {
            self.shares = shares
            self.quota = quota
            self.burst = burst
            self.period = period
            self.realtimeRuntime = realtimeRuntime
            self.realtimePeriod = realtimePeriod
            self.cpus = cpus
            self.mems = mems
            self.idle = idle
        }
    }

    public struct Pids: Sendable, Equatable {
        /// -1 (or 0 in older configs) means no limit.
        public var limit: Int64?

        public init(limit: Int64? = nil) {
            self.limit = limit
        }
    }

    public struct BlockIO: Sendable, Equatable {
        public var weight: UInt16?
        public var leafWeight: UInt16?
        public var weightDevice: [WeightDevice]?
        public var throttleReadBpsDevice: [ThrottleDevice]?
        public var throttleWriteBpsDevice: [ThrottleDevice]?
        public var throttleReadIOPSDevice: [ThrottleDevice]?
        public var throttleWriteIOPSDevice: [ThrottleDevice]?

        public init(
            weight: UInt16? = nil, leafWeight: UInt16? = nil, weightDevice: [WeightDevice]? = nil,
            throttleReadBpsDevice: [ThrottleDevice]? = nil, throttleWriteBpsDevice: [ThrottleDevice]? = nil,
            throttleReadIOPSDevice: [ThrottleDevice]? = nil, throttleWriteIOPSDevice: [ThrottleDevice]? = nil
        ) {
            self.weight = weight
            self.leafWeight = leafWeight
            self.weightDevice = weightDevice
            self.throttleReadBpsDevice = throttleReadBpsDevice
            self.throttleWriteBpsDevice = throttleWriteBpsDevice
            self.throttleReadIOPSDevice = throttleReadIOPSDevice
            self.throttleWriteIOPSDevice = throttleWriteIOPSDevice
        }
    }

    /// LinuxWeightDevice (Go embeds LinuxBlockIODevice: major and minor come first).
    public struct WeightDevice: Sendable, Equatable {
        public var major: Int64
        public var minor: Int64
        public var weight: UInt16?
        public var leafWeight: UInt16?

        public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
            self.major = major
            self.minor = minor
            self.weight = weight
            self.leafWeight = leafWeight
        }
    }

    /// LinuxThrottleDevice.
    public struct ThrottleDevice: Sendable, Equatable {
        public var major: Int64
        public var minor: Int64
        public var rate: UInt64

        public init(major: Int64, minor: Int64, rate: UInt64) {
            self.major = major
            self.minor = minor
            self.rate = rate
        }
    }

    public struct HugepageLimit: Sendable, Equatable {
        /// "2MB", "1GB", ...
        public var pageSize: String
        public var limit: UInt64

        public init(pageSize: String, limit: UInt64) {
            self.pageSize = pageSize
            self.limit = limit
        }
    }

    public struct Network: Sendable, Equatable {
        public var classID: UInt32?
        public var priorities: [InterfacePriority]?

        public init(classID: UInt32? = nil, priorities: [InterfacePriority]? = nil) {
            self.classID = classID
            self.priorities = priorities
        }
    }

    public struct InterfacePriority: Sendable, Equatable {
        public var name: String
        public var priority: UInt32

        public init(name: String, priority: UInt32) {
            self.name = name
            self.priority = priority
        }
    }

    public struct Rdma: Sendable, Equatable {
        public var hcaHandles: UInt32?
        public var hcaObjects: UInt32?

        public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
            self.hcaHandles = hcaHandles
            self.hcaObjects = hcaObjects
        }
    }
}

extension Spec.Resources: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = [
        "devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network", "rdma", "unified",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "devices": devices = try Decode.objects(&reader)
        case "memory": memory = try Decode.object(&reader)
        case "cpu": cpu = try Decode.object(&reader)
        case "pids": pids = try Decode.object(&reader)
        case "blockIO": blockIO = try Decode.object(&reader)
        case "hugepageLimits": hugepageLimits = try Decode.objects(&reader)
        case "network": network = try Decode.object(&reader)
        case "rdma": rdma = try Decode.objectMap(&reader)
        case "unified": unified = try Decode.map(&reader, Decode.string)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("devices", devices)
        o.add("memory", memory)
        o.add("cpu", cpu)
        o.add("pids", pids)
        o.add("blockIO", blockIO)
        o.add("hugepageLimits", hugepageLimits)
        o.add("network", network)
        o.add("rdma", rdma)
        o.add("unified", unified)
        return o.value
    }
}

extension Spec.DeviceCgroup: SpecObject {
    static var decodingDefault: Self { .init(allow: false) }
    static let fieldNames = ["allow", "type", "major", "minor", "access"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "allow": allow = try Decode.bool(&reader)
        case "type": type = try Decode.string(&reader)
        case "major": major = try Decode.integer(&reader)
        case "minor": minor = try Decode.integer(&reader)
        case "access": access = try Decode.string(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("allow", allow)
        o.add("type", type)
        o.add("major", major)
        o.add("minor", minor)
        o.add("access", access)
        return o.value
    }
}

extension Spec.Memory: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = [
        "limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy",
        "checkBeforeUpdate",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "limit": limit = try Decode.integer(&reader)
        case "reservation": reservation = try Decode.integer(&reader)
        case "swap": swap = try Decode.integer(&reader)
        case "kernel": kernel = try Decode.integer(&reader)
        case "kernelTCP": kernelTCP = try Decode.integer(&reader)
        case "swappiness": swappiness = try Decode.integer(&reader)
        case "disableOOMKiller": disableOOMKiller = try Decode.bool(&reader)
        case "useHierarchy": useHierarchy = try Decode.bool(&reader)
        case "checkBeforeUpdate": checkBeforeUpdate = try Decode.bool(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("limit", limit)
        o.add("reservation", reservation)
        o.add("swap", swap)
        o.add("kernel", kernel)
        o.add("kernelTCP", kernelTCP)
        o.add("swappiness", swappiness)
        o.add("disableOOMKiller", disableOOMKiller)
        o.add("useHierarchy", useHierarchy)
        o.add("checkBeforeUpdate", checkBeforeUpdate)
        return o.value
    }
}

extension Spec.CPU: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = [
        "shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "shares": shares = try Decode.integer(&reader)
        case "quota": quota = try Decode.integer(&reader)
        case "burst": burst = try Decode.integer(&reader)
        case "period": period = try Decode.integer(&reader)
        case "realtimeRuntime": realtimeRuntime = try Decode.integer(&reader)
        case "realtimePeriod": realtimePeriod = try Decode.integer(&reader)
        case "cpus": cpus = try Decode.string(&reader)
        case "mems": mems = try Decode.string(&reader)
        case "idle": idle = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("shares", shares)
        o.add("quota", quota)
        o.add("burst", burst)
        o.add("period", period)
        o.add("realtimeRuntime", realtimeRuntime)
        o.add("realtimePeriod", realtimePeriod)
        o.add("cpus", cpus)
        o.add("mems", mems)
        o.add("idle", idle)
        return o.value
    }
}

extension Spec.Pids: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["limit"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "limit": limit = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("limit", limit)
        return o.value
    }
}

extension Spec.BlockIO: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = [
        "weight", "leafWeight", "weightDevice", "throttleReadBpsDevice", "throttleWriteBpsDevice",
        "throttleReadIOPSDevice", "throttleWriteIOPSDevice",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "weight": weight = try Decode.integer(&reader)
        case "leafWeight": leafWeight = try Decode.integer(&reader)
        case "weightDevice": weightDevice = try Decode.objects(&reader)
        case "throttleReadBpsDevice": throttleReadBpsDevice = try Decode.objects(&reader)
        case "throttleWriteBpsDevice": throttleWriteBpsDevice = try Decode.objects(&reader)
        case "throttleReadIOPSDevice": throttleReadIOPSDevice = try Decode.objects(&reader)
        case "throttleWriteIOPSDevice": throttleWriteIOPSDevice = try Decode.objects(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("weight", weight)
        o.add("leafWeight", leafWeight)
        o.add("weightDevice", weightDevice)
        o.add("throttleReadBpsDevice", throttleReadBpsDevice)
        o.add("throttleWriteBpsDevice", throttleWriteBpsDevice)
        o.add("throttleReadIOPSDevice", throttleReadIOPSDevice)
        o.add("throttleWriteIOPSDevice", throttleWriteIOPSDevice)
        return o.value
    }
}

extension Spec.WeightDevice: SpecObject {
    static var decodingDefault: Self { .init(major: 0, minor: 0) }
    static let fieldNames = ["major", "minor", "weight", "leafWeight"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "major": major = try Decode.integer(&reader)
        case "minor": minor = try Decode.integer(&reader)
        case "weight": weight = try Decode.integer(&reader)
        case "leafWeight": leafWeight = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("major", major)
        o.add("minor", minor)
        o.add("weight", weight)
        o.add("leafWeight", leafWeight)
        return o.value
    }
}

extension Spec.ThrottleDevice: SpecObject {
    static var decodingDefault: Self { .init(major: 0, minor: 0, rate: 0) }
    static let fieldNames = ["major", "minor", "rate"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "major": major = try Decode.integer(&reader)
        case "minor": minor = try Decode.integer(&reader)
        case "rate": rate = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("major", major)
        o.add("minor", minor)
        o.add("rate", rate)
        return o.value
    }
}

extension Spec.HugepageLimit: SpecObject {
    static var decodingDefault: Self { .init(pageSize: "", limit: 0) }
    static let fieldNames = ["pageSize", "limit"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "pageSize": pageSize = try Decode.string(&reader)
        case "limit": limit = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("pageSize", pageSize)
        o.add("limit", limit)
        return o.value
    }
}

extension Spec.Network: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["classID", "priorities"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "classID": classID = try Decode.integer(&reader)
        case "priorities": priorities = try Decode.objects(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("classID", classID)
        o.add("priorities", priorities)
        return o.value
    }
}

extension Spec.InterfacePriority: SpecObject {
    static var decodingDefault: Self { .init(name: "", priority: 0) }
    static let fieldNames = ["name", "priority"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "name": name = try Decode.string(&reader)
        case "priority": priority = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("name", name)
        o.add("priority", priority)
        return o.value
    }
}

extension Spec.Rdma: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["hcaHandles", "hcaObjects"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "hcaHandles": hcaHandles = try Decode.integer(&reader)
        case "hcaObjects": hcaObjects = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("hcaHandles", hcaHandles)
        o.add("hcaObjects", hcaObjects)
        return o.value
    }
}
