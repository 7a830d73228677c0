extension Spec {
    public struct Mount: Sendable, Equatable {
        /// Absolute in the container; relative ones are deprecated and, like
        /// runc, taken as relative to "/".
        public var destination: String
        public var type: String?
        public var source: String?
        /// fstab-style options, in order ("rbind", "ro", "mode=755", ...).
        public var options: [String]?
        /// For id-mapped mounts.
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?

        public init(
            destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil,
            uidMappings: [IDMapping]? = nil, gidMappings: [IDMapping]? = nil
        ) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
            self.uidMappings = uidMappings
            self.gidMappings = gidMappings
        }
    }
}

extension Spec.Mount: SpecObject {
    static var decodingDefault: Self { .init(destination: "") }
    static let fieldNames = ["destination", "type", "source", "options", "uidMappings", "gidMappings"]

    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool {
        switch key {
        case "destination": destination = try Decode.string(&reader)
        case "type": type = try Decode.string(&reader)
        case "source": source = try Decode.string(&reader)
        case "options": options = try Decode.strings(&reader)
        case "uidMappings": uidMappings = try Decode.objects(&reader)
        case "gidMappings": gidMappings = try Decode.objects(&reader)
        default: return false
        }
        return true
    }

    public var jsonValue: JSONValue {
        var o = ObjectBuilder()
        o.add("destination", destination)
        o.add("type", type)
        o.add("source", source)
        o.add("options", options)
        o.add("uidMappings", uidMappings)
        o.add("gidMappings", gidMappings)
        return o.value
    }
}
