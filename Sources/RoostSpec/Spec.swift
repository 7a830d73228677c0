/// An OCI runtime-spec v1.3 `config.json`.
///
/// Property names are the JSON field names. Every field that is a pointer or
/// `omitempty` in the spec's Go types is an Optional here, so an absent field
/// and an empty one stay distinct (`args: nil` vs `args: []`); fields Go always
/// writes are non-optional and default to zero when absent, as in Go.
///
/// Decoding follows Go's encoding/json, which runc uses: unknown fields are
/// ignored, `null` means absent, repeated keys let the last win (Go would
/// merge two objects under one key; roost keeps the last), and keys match
/// field names case-insensitively when nothing matches exactly.
/// Integers must fit the spec's width exactly (no fractions or exponents).
public struct Spec: Sendable, Equatable {
    public var ociVersion: String
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]?
    public var hooks: Hooks?
    public var annotations: OrderedMap<String>?
    public var linux: Linux?
    /// Other platforms' sections are kept verbatim and never interpreted.
    public var solaris: JSONValue?
    public var windows: JSONValue?
    public var vm: JSONValue?
    public var zos: JSONValue?
    public var freebsd: JSONValue?

    public init(
        ociVersion: String,
        process: Process? = nil,
        root: Root? = nil,
        hostname: String? = nil,
        domainname: String? = nil,
        mounts: [Mount]? = nil,
        hooks: Hooks? = nil,
        annotations: OrderedMap<String>? = nil,
        linux: Linux? = nil,
        solaris: JSONValue? = nil,
        windows: JSONValue? = nil,
        vm: JSONValue? = nil,
        zos: JSONValue? = nil,
        freebsd: JSONValue? = nil
    ) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.domainname = domainname
        self.mounts = mounts
        self.hooks = hooks
        self.annotations = annotations
        self.linux = linux
        self.solaris = solaris
        self.windows = windows
        self.vm = vm
        self.zos = zos
        self.freebsd = freebsd
    }

    /// The spec version this package implements, written by `runcDefault`.
    public static let version = "1.3.0"
}

// MARK: - Decoding and encoding entry points

extension Spec {
    /// Parses, decodes and validates a config (see `validate`).
    ///
    /// Throws `SpecError` naming `file` and the JSON path of the problem (or
    /// the line and column of a syntax error). It does not require `process`
    /// (runc's `create` and `run` do: call `validateForRun` there).
    public static func decode(_ bytes: [UInt8], file: String = "config.json") throws(SpecError) -> Spec {
        let spec = try decodeWithoutValidation(bytes, file: file)
        try spec.validate(file: file)
        return spec
    }

    /// Decodes and validates an already parsed config. It is re-serialized
    /// first (the typed decoder reads bytes), so a syntax error cannot occur.
    public static func decode(_ json: JSONValue, file: String = "config.json") throws(SpecError) -> Spec {
        try decode(json.serializedBytes(), file: file)
    }

    public static func decodeWithoutValidation(_ json: JSONValue, file: String = "config.json") throws(SpecError)
        -> Spec
    {
        try decodeWithoutValidation(json.serializedBytes(), file: file)
    }

    /// Checks syntax, types and ranges only; for tools that inspect broken configs.
    public static func decodeWithoutValidation(_ bytes: [UInt8], file: String = "config.json") throws(SpecError)
        -> Spec
    {
        try Decode.document(bytes, file: file) { (reader) throws(SpecError) -> Spec in
            if try reader.consumeNull() {
                try reader.finish()
                // Matches runc: "config cannot be null".
                throw SpecError("", "config cannot be null")
            }
            return try Decode.object(&reader)
        }
    }

    /// The config as a JSON tree, fields in Go struct order.
    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("ociVersion", ociVersion)
        o.add("process", process)
        o.add("root", root)
        o.add("hostname", hostname)
        o.add("domainname", domainname)
        o.add("mounts", mounts)
        o.add("hooks", hooks)
        o.add("annotations", annotations)
        o.add("linux", linux)
        o.add("solaris", solaris)
        o.add("windows", windows)
        o.add("vm", vm)
        o.add("zos", zos)
        o.add("freebsd", freebsd)
        return o.value
    }

    /// Byte-identical to Go's `json.MarshalIndent(spec, "", "\t")`, which is
    /// what `runc spec` writes (without a trailing newline).
    public func marshalIndented() -> String {
        jsonValue.serialized(style: .indented)
    }

    /// Like Go's `json.Marshal(spec)`.
    public func marshalCompact() -> String {
        jsonValue.serialized(style: .compact)
    }

    public func marshalBytes(style: JSONWriter.Style = .indented) -> [UInt8] {
        jsonValue.serializedBytes(style: style)
    }
}

extension Spec: SpecObject {
    static var decodingDefault: Spec { Spec(ociVersion: "") }

    static let fieldNames = [
        "ociVersion", "process", "root", "hostname", "domainname", "mounts", "hooks", "annotations", "linux",
        "solaris", "windows", "vm", "zos", "freebsd",
    ]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "ociVersion": ociVersion = try Decode.string(&reader)
        case "process": process = try Decode.object(&reader)
        case "root": root = try Decode.object(&reader)
        case "hostname": hostname = try Decode.string(&reader)
        case "domainname": domainname = try Decode.string(&reader)
        case "mounts": mounts = try Decode.objects(&reader)
        case "hooks": hooks = try Decode.object(&reader)
        case "annotations": annotations = try Decode.map(&reader, Decode.string)
        case "linux": linux = try Decode.object(&reader)
        case "solaris": solaris = try Decode.value(&reader)
        case "windows": windows = try Decode.value(&reader)
        case "vm": vm = try Decode.value(&reader)
        case "zos": zos = try Decode.value(&reader)
        case "freebsd": freebsd = try Decode.value(&reader)
        default: return false
        }
        return true
    }
}

// MARK: - Root

extension Spec {
    public struct Root: Sendable, Equatable {
        /// The rootfs; relative paths are relative to the bundle.
        public var path: String
        public var readonly: Bool?

        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }
}

extension Spec.Root: SpecObject {
    static var decodingDefault: Self { .init(path: "") }
    static let fieldNames = ["path", "readonly"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "path": path = try Decode.string(&reader)
        case "readonly": readonly = try Decode.bool(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("path", path)
        o.add("readonly", readonly)
        return o.value
    }
}
