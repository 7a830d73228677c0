extension Spec {
    /// `linux.seccomp`. Actions, operators, architectures and flags stay
    /// strings (libseccomp's names); validation checks them against runc's tables.
    public struct Seccomp: Sendable, Equatable {
        /// "" together with no syscalls means seccomp is off (matches runc).
        public var defaultAction: String
        public var defaultErrnoRet: UInt?
        public var architectures: [String]?
        /// nil lets the runtime pick defaults (runc adds SPEC_ALLOW); [] means none.
        public var flags: [String]?
        public var listenerPath: String?
        public var listenerMetadata: String?
        public var syscalls: [Syscall]?

        public init(
            defaultAction: String, defaultErrnoRet: UInt? = nil, architectures: [String]? = nil,
            flags: [String]? = nil, listenerPath: String? = nil, listenerMetadata: String? = nil,
            syscalls: [Syscall]? = nil
        ) {
            self.defaultAction = defaultAction
            self.defaultErrnoRet = defaultErrnoRet
            self.architectures = architectures
            self.flags = flags
            self.listenerPath = listenerPath
            self.listenerMetadata = listenerMetadata
            self.syscalls = syscalls
        }
    }

    /// LinuxSyscall: one rule for one or more syscall names.
    public struct Syscall: Sendable, Equatable {
        public var names: [String]
        public var action: String
        public var errnoRet: UInt?
        public var args: [SeccompArg]?

        public init(names: [String], action: String, errnoRet: UInt? = nil, args: [SeccompArg]? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
        }
    }

    /// LinuxSeccompArg: a comparison on one syscall argument.
    public struct SeccompArg: Sendable, Equatable {
        public var index: UInt
        public var value: UInt64
        public var valueTwo: UInt64?
        /// "SCMP_CMP_EQ", ...
        public var op: String

        public init(index: UInt, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }
}

extension Spec.Seccomp: SpecObject {
    static var decodingDefault: Self { .init(defaultAction: "") }
    static let fieldNames = [
        "defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath", "listenerMetadata",
        "syscalls",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "defaultAction": defaultAction = try Decode.string(&reader)
        case "defaultErrnoRet": defaultErrnoRet = try Decode.integer(&reader)
        case "architectures": architectures = try Decode.strings(&reader)
        case "flags": flags = try Decode.strings(&reader)
        case "listenerPath": listenerPath = try Decode.string(&reader)
        case "listenerMetadata": listenerMetadata = try Decode.string(&reader)
        case "syscalls": syscalls = try Decode.objects(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("defaultAction", defaultAction)
        o.add("defaultErrnoRet", defaultErrnoRet)
        o.add("architectures", architectures)
        o.add("flags", flags)
        o.add("listenerPath", listenerPath)
        o.add("listenerMetadata", listenerMetadata)
        o.add("syscalls", syscalls)
        return o.value
    }
}

extension Spec.Syscall: SpecObject {
    static var decodingDefault: Self { .init(names: [], action: "") }
    static let fieldNames = ["names", "action", "errnoRet", "args"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "names": names = try Decode.strings(&reader)
        case "action": action = try Decode.string(&reader)
        case "errnoRet": errnoRet = try Decode.integer(&reader)
        case "args": args = try Decode.objects(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("names", names)
        o.add("action", action)
        o.add("errnoRet", errnoRet)
        o.add("args", args)
        return o.value
    }
}

extension Spec.SeccompArg: SpecObject {
    static var decodingDefault: Self { .init(index: 0, value: 0, op: "") }
    static let fieldNames = ["index", "value", "valueTwo", "op"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "index": index = try Decode.integer(&reader)
        case "value": self.value = try Decode.integer(&reader)
        case "valueTwo": valueTwo = try Decode.integer(&reader)
        case "op": op = try Decode.string(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("index", index)
        o.add("value", value)
        o.add("valueTwo", valueTwo)
        o.add("op", op)
        return o.value
    }
}
