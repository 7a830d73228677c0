extension Spec {
    /// The container's init process (`process` in config.json, or the whole of
    /// an exec `process.json`).
    public struct Process: Sendable, Equatable {
        public var terminal: Bool?
        public var consoleSize: Box?
        public var user: User
        public var args: [String]?
        /// Windows only; kept for round-trips.
        public var commandLine: String?
        public var env: [String]?
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        public var apparmorProfile: String?
        public var oomScoreAdj: Int?
        public var scheduler: Scheduler?
        public var selinuxLabel: String?
        public var ioPriority: IOPriority?
        public var execCPUAffinity: CPUAffinity?

        public init(
            terminal: Bool? = nil,
            consoleSize: Box? = nil,
            user: User = User(),
            args: [String]? = nil,
            commandLine: String? = nil,
            env: [String]? = nil,
            cwd: String,
            capabilities: Capabilities? = nil,
            rlimits: [Rlimit]? = nil,
            noNewPrivileges: Bool? = nil,
            apparmorProfile: String? = nil,
            oomScoreAdj: Int? = nil,
            scheduler: Scheduler? = nil,
            selinuxLabel: String? = nil,
            ioPriority: IOPriority? = nil,
            execCPUAffinity: CPUAffinity? = nil
        ) {
            self.terminal = terminal
            self.consoleSize = consoleSize
            self.user = user
            self.args = args
            self.commandLine = commandLine
            self.env = env
            self.cwd = cwd
            self.capabilities = capabilities
            self.rlimits = rlimits
            self.noNewPrivileges = noNewPrivileges
            self.apparmorProfile = apparmorProfile
            self.oomScoreAdj = oomScoreAdj
            self.scheduler = scheduler
            self.selinuxLabel = selinuxLabel
            self.ioPriority = ioPriority
            self.execCPUAffinity = execCPUAffinity
        }
    }

    public struct Box: Sendable, Equatable {
        public var height: UInt
        public var width: UInt

        public init(height: UInt, width: UInt) {
            self.height = height
            self.width = width
        }
    }

    public struct User: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        public var umask: UInt32?
        public var additionalGids: [UInt32]?
        /// Windows only.
        public var username: String?

        public init(
            uid: UInt32 = 0, gid: UInt32 = 0, umask: UInt32? = nil, additionalGids: [UInt32]? = nil,
            username: String? = nil
        ) {
            self.uid = uid
            self.gid = gid
            self.umask = umask
            self.additionalGids = additionalGids
            self.username = username
        }
    }

    /// Capability names as written ("CAP_KILL"); not checked here, the
    /// runtime knows which ones the kernel has.
    public struct Capabilities: Sendable, Equatable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?

        public init(
            bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
            permitted: [String]? = nil, ambient: [String]? = nil
        ) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
    }

    /// POSIXRlimit in the Go types.
    public struct Rlimit: Sendable, Equatable {
        /// "RLIMIT_NOFILE" etc.; see `Spec.Rlimit.knownTypes`.
        public var type: String
        public var hard: UInt64
        public var soft: UInt64

        public init(type: String, hard: UInt64, soft: UInt64) {
            self.type = type
            self.hard = hard
            self.soft = soft
        }
    }

    /// sched_setattr(2) parameters.
    public struct Scheduler: Sendable, Equatable {
        /// "SCHED_OTHER", "SCHED_FIFO", ...; see `Spec.Scheduler.knownPolicies`.
        public var policy: String
        public var nice: Int32?
        public var priority: Int32?
        public var flags: [String]?
        public var runtime: UInt64?
        public var deadline: UInt64?
        public var period: UInt64?

        public init(
            policy: String, nice: Int32? = nil, priority: Int32? = nil, flags: [String]? = nil,
            runtime: UInt64? = nil, deadline: UInt64? = nil, period: UInt64? = nil
        ) {
            self.policy = policy
            self.nice = nice
            self.priority = priority
            self.flags = flags
            self.runtime = runtime
            self.deadline = deadline
            self.period = period
        }
    }

    public struct IOPriority: Sendable, Equatable {
        /// "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE" or "IOPRIO_CLASS_IDLE".
        public var `class`: String
        public var priority: Int

        public init(class: String, priority: Int) {
            self.class = `class`
            self.priority = priority
        }
    }

    /// CPU lists ("0-3,7") for processes started by `exec`.
    public struct CPUAffinity: Sendable, Equatable {
        public var initial: String?
        public var final: String?

        public init(initial: String? = nil, final: String? = nil) {
            self.initial = initial
            self.final = final
        }
    }
}

extension Spec.Process {
    /// Decodes and validates an exec `process.json`; paths in errors are
    /// relative to the process object (`args: must not be empty`).
    public static func decode(_ bytes: [UInt8], file: String = "process.json") throws(SpecError) -> Spec.Process {
        let process = try Decode.document(bytes, file: file) { (reader) throws(SpecError) -> Spec.Process in
            try Decode.object(&reader)
        }
        do {
            try process.validate()
        } catch {
            throw error.withFile(file)
        }
        return process
    }
}

extension Spec.Process: SpecObject {
    static var decodingDefault: Self { .init(cwd: "") }

    static let fieldNames = [
        "terminal", "consoleSize", "user", "args", "commandLine", "env", "cwd", "capabilities", "rlimits",
        "noNewPrivileges", "apparmorProfile", "oomScoreAdj", "scheduler", "selinuxLabel", "ioPriority",
        "execCPUAffinity",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "terminal": terminal = try Decode.bool(&reader)
        case "consoleSize": consoleSize = try Decode.object(&reader)
        case "user": user = try Decode.object(&reader)
        case "args": args = try Decode.strings(&reader)
        case "commandLine": commandLine = try Decode.string(&reader)
        case "env": env = try Decode.strings(&reader)
        case "cwd": cwd = try Decode.string(&reader)
        case "capabilities": capabilities = try Decode.object(&reader)
        case "rlimits": rlimits = try Decode.objects(&reader)
        case "noNewPrivileges": noNewPrivileges = try Decode.bool(&reader)
        case "apparmorProfile": apparmorProfile = try Decode.string(&reader)
        case "oomScoreAdj": oomScoreAdj = try Decode.integer(&reader)
        case "scheduler": scheduler = try Decode.object(&reader)
        case "selinuxLabel": selinuxLabel = try Decode.string(&reader)
        case "ioPriority": ioPriority = try Decode.object(&reader)
        case "execCPUAffinity": execCPUAffinity = try Decode.object(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("terminal", terminal)
        o.add("consoleSize", consoleSize)
        o.add("user", user)
        o.add("args", args)
        o.add("commandLine", commandLine)
        o.add("env", env)
        o.add("cwd", cwd)
        o.add("capabilities", capabilities)
        o.add("rlimits", rlimits)
        o.add("noNewPrivileges", noNewPrivileges)
        o.add("apparmorProfile", apparmorProfile)
        o.add("oomScoreAdj", oomScoreAdj)
        o.add("scheduler", scheduler)
        o.add("selinuxLabel", selinuxLabel)
        o.add("ioPriority", ioPriority)
        o.add("execCPUAffinity", execCPUAffinity)
        return o.value
    }
}

extension Spec.Box: SpecObject {
    static var decodingDefault: Self { .init(height: 0, width: 0) }
    static let fieldNames = ["height", "width"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "height": height = try Decode.integer(&reader)
        case "width": width = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("height", height)
        o.add("width", width)
        return o.value
    }
}

extension Spec.User: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["uid", "gid", "umask", "additionalGids", "username"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "uid": uid = try Decode.integer(&reader)
        case "gid": gid = try Decode.integer(&reader)
        case "umask": umask = try Decode.integer(&reader)
        case "additionalGids": additionalGids = try Decode.integers(&reader)
        case "username": username = try Decode.string(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("uid", uid)
        o.add("gid", gid)
        o.add("umask", umask)
        o.add("additionalGids", additionalGids)
        o.add("username", username)
        return o.value
    }
}

extension Spec.Capabilities: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["bounding", "effective", "inheritable", "permitted", "ambient"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "bounding": bounding = try Decode.strings(&reader)
        case "effective": effective = try Decode.strings(&reader)
        case "inheritable": inheritable = try Decode.strings(&reader)
        case "permitted": permitted = try Decode.strings(&reader)
        case "ambient": ambient = try Decode.strings(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("bounding", bounding)
        o.add("effective", effective)
        o.add("inheritable", inheritable)
        o.add("permitted", permitted)
        o.add("ambient", ambient)
        return o.value
    }
}

extension Spec.Rlimit: SpecObject {
    static var decodingDefault: Self { .init(type: "", hard: 0, soft: 0) }
    static let fieldNames = ["type", "hard", "soft"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "type": type = try Decode.string(&reader)
        case "hard": hard = try Decode.integer(&reader)
        case "soft": soft = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("type", type)
        o.add("hard", hard)
        o.add("soft", soft)
        return o.value
    }
}

extension Spec.Scheduler: SpecObject {
    static var decodingDefault: Self { .init(policy: "") }
    static let fieldNames = ["policy", "nice", "priority", "flags", "runtime", "deadline", "period"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "policy": policy = try Decode.string(&reader)
        case "nice": nice = try Decode.integer(&reader)
        case "priority": priority = try Decode.integer(&reader)
        case "flags": flags = try Decode.strings(&reader)
        case "runtime": runtime = try Decode.integer(&reader)
        case "deadline": deadline = try Decode.integer(&reader)
        case "period": period = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("policy", policy)
        o.add("nice", nice)
        o.add("priority", priority)
        o.add("flags", flags)
        o.add("runtime", runtime)
        o.add("deadline", deadline)
        o.add("period", period)
        return o.value
    }
}

extension Spec.IOPriority: SpecObject {
    static var decodingDefault: Self { .init(class: "", priority: 0) }
    static let fieldNames = ["class", "priority"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "class": self.class = try Decode.string(&reader)
        case "priority": priority = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("class", self.class)
        o.add("priority", priority)
        return o.value
    }
}

extension Spec.CPUAffinity: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = ["initial", "final"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "initial": initial = try Decode.string(&reader)
        case "final": final = try Decode.string(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("initial", initial)
        o.add("final", final)
        return o.value
    }
}
