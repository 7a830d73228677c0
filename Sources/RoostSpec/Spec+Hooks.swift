extension Spec {
    public struct Hooks: Sendable, Equatable {
        /// Deprecated by the spec, still run by runc (before createRuntime).
        public var prestart: [Hook]?
        public var createRuntime: [Hook]?
        public var createContainer: [Hook]?
        public var startContainer: [Hook]?
        public var poststart: [Hook]?
        public var poststop: [Hook]?

        public init(
            prestart: [Hook]? = nil, createRuntime: [Hook]? = nil, createContainer: [Hook]? = nil,
            startContainer: [Hook]? = nil, poststart: [Hook]? = nil, poststop: [Hook]? = nil
        ) {
            self.prestart = prestart
            self.createRuntime = createRuntime
            self.createContainer = createContainer
            self.startContainer = startContainer
            self.poststart = poststart
            self.poststop = poststop
        }

        /// Each lifecycle list with its JSON name, in the order runc runs them.
        public var all: [(name: String, hooks: [Hook])] {
            [
                ("prestart", prestart ?? []), ("createRuntime", createRuntime ?? []),
                ("createContainer", createContainer ?? []), ("startContainer", startContainer ?? []),
                ("poststart", poststart ?? []), ("poststop", poststop ?? []),
            ]
        }
    }

    public struct Hook: Sendable, Equatable {
        /// Absolute path of the executable, in the runtime's mount namespace.
        public var path: String
        /// The full argv, including argv[0].
        public var args: [String]?
        public var env: [String]?
        /// Seconds; must be positive when set.
        public var timeout: Int?

        public init(path: String, args: [String]? = nil, env: [String]? = nil, timeout: Int? = nil) {
            self.path = path
            self.args = args
            self.env = env
            self.timeout = timeout
        }
    }
}

extension Spec.Hooks: SpecObject {
    static var decodingDefault: Self { .init() }
    static let fieldNames = [
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "prestart": prestart = try Decode.objects(&reader)
        case "createRuntime": createRuntime = try Decode.objects(&reader)
        case "createContainer": createContainer = try Decode.objects(&reader)
        case "startContainer": startContainer = try Decode.objects(&reader)
        case "poststart": poststart = try Decode.objects(&reader)
        case "poststop": poststop = try Decode.objects(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("prestart", prestart)
        o.add("createRuntime", createRuntime)
        o.add("createContainer", createContainer)
        o.add("startContainer", startContainer)
        o.add("poststart", poststart)
        o.add("poststop", poststop)
        return o.value
    }
}

extension Spec.Hook: SpecObject {
    static var decodingDefault: Self { .init(path: "") }
    static let fieldNames = ["path", "args", "env", "timeout"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "path": path = try Decode.string(&reader)
        case "args": args = try Decode.strings(&reader)
        case "env": env = try Decode.strings(&reader)
        case "timeout": timeout = try Decode.integer(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("path", path)
        o.add("args", args)
        o.add("env", env)
        o.add("timeout", timeout)
        return o.value
    }
}
