/// A spec struct that is a JSON object: each type lists its fields once for
/// decoding (`decodeField`) and once for encoding (`jsonValue`, in Go struct
/// order so output matches runc's).
protocol SpecObject: JSONRepresentable {
    /// The value Go's decoder starts from: absent fields keep these.
    static var decodingDefault: Self { get }
    /// JSON field names, used to match keys case-insensitively like Go.
    static var fieldNames: [String] { get }
    /// Reads the value of a known field and returns true; returns false,
    /// reading nothing, for a field this type does not know (ignored, as runc does).
    mutating func decodeField(_ key: String, _ reader: inout JSONParser) throws(SpecError) -> Bool
    /// True for the few types where an absent field must be an error rather
    /// than Go's zero value (a namespace without a type would otherwise
    /// silently become some namespace).
    static var checksPresence: Bool { get }
    /// Called after decoding when `checksPresence`, with the fields seen.
    func checkPresence(_ seen: [String]) throws(SpecError)
}

extension SpecObject {
    static var checksPresence: Bool { false }
    func checkPresence(_ seen: [String]) throws(SpecError) {}
}

protocol JSONRepresentable {
    var jsonValue: JSONValue { get }
}

/// The typed reading helpers the `decodeField` implementations are written in.
enum Decode {
    static func string(_ reader: inout JSONParser) throws(SpecError) -> String {
        try reader.readString()
    }

    static func bool(_ reader: inout JSONParser) throws(SpecError) -> Bool {
        try reader.readBool()
    }

    static func integer<T: FixedWidthInteger>(_ reader: inout JSONParser) throws(SpecError) -> T {
        try reader.readInteger()
    }

    static func value(_ reader: inout JSONParser) throws(SpecError) -> JSONValue {
        try reader.readValue()
    }

    static func array<T>(
        _ reader: inout JSONParser, _ element: (inout JSONParser) throws(SpecError) -> T
    ) throws(SpecError) -> [T] {
        try reader.beginArray()
        var result: [T] = []
        var first = true
        while try reader.nextElement(&first) {
            do {
                result.append(try element(&reader))
            } catch {
                throw error.under(index: result.count)
            }
        }
        return result
    }

    static func strings(_ reader: inout JSONParser) throws(SpecError) -> [String] {
        try array(&reader, string)
    }

    static func integers<T: FixedWidthInteger>(_ reader: inout JSONParser) throws(SpecError) -> [T] {
        try array(&reader) { (r: inout JSONParser) throws(SpecError) -> T in try r.readInteger() }
    }

    static func objects<T: SpecObject>(_ reader: inout JSONParser) throws(SpecError) -> [T] {
        try array(&reader) { (r: inout JSONParser) throws(SpecError) -> T in try object(&r) }
    }

    /// Decodes a struct, following Go's encoding/json: a null member leaves the
    /// field at its default, repeated keys let the last one win, and a key with
    /// no exact match may match a field case-insensitively.
    static func object<T: SpecObject>(_ reader: inout JSONParser) throws(SpecError) -> T {
        try reader.beginObject()
        var result = T.decodingDefault
        var seen: [String] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            do {
                if try reader.consumeNull() { continue }
                if try result.decodeField(key, &reader) {
                    if T.checksPresence { seen.append(key) }
                } else if let canonical = foldedMatch(key, in: T.fieldNames) {
                    _ = try result.decodeField(canonical, &reader)
                    if T.checksPresence { seen.append(canonical) }
                } else {
                    try reader.skipValue()
                }
            } catch {
                throw error.under(field: key)
            }
        }
        if T.checksPresence {
            try result.checkPresence(seen)
        }
        return result
    }

    static func map<T>(
        _ reader: inout JSONParser, _ element: (inout JSONParser) throws(SpecError) -> T
    ) throws(SpecError) -> OrderedMap<T> {
        try reader.beginObject()
        var keys: [String] = []
        var values: [T] = []
        var first = true
        while let key = try reader.nextKey(&first) {
            do {
                values.append(try element(&reader))
            } catch {
                throw error.under(key: key)
            }
            keys.append(key)
        }
        return OrderedMap(lastWinsKeys: keys, values: values)
    }

    static func objectMap<T: SpecObject>(_ reader: inout JSONParser) throws(SpecError) -> OrderedMap<T> {
        try map(&reader) { (r: inout JSONParser) throws(SpecError) -> T in try object(&r) }
    }

    /// Go compares field names with simple Unicode case folding; for the
    /// ASCII names of the spec that means ASCII case-insensitivity plus the
    /// two non-ASCII letters that fold to ASCII: ſ (U+017F) ~ s, K (U+212A) ~ k.
    static func foldedMatch(_ key: String, in names: [String]) -> String? {
        var folded: [UInt8] = []
        for scalar in key.unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A: folded.append(UInt8(scalar.value) - 0x20)
            case 0..<0x80: folded.append(UInt8(scalar.value))
            case 0x017F: folded.append(UInt8(ascii: "S"))
            case 0x212A: folded.append(UInt8(ascii: "K"))
            default: return nil
            }
        }
        for name in names where name.utf8.count == folded.count {
            if zip(name.utf8, folded).allSatisfy({ (n, f) in (n >= 0x61 && n <= 0x7A ? n - 0x20 : n) == f }) {
                return name
            }
        }
        return nil
    }

    /// Runs a decoder over a whole document: one value, then only whitespace.
    ///
    /// Matches Go (runc): a syntax error anywhere wins over a type error met
    /// earlier, because Go checks the whole document before decoding. The
    /// extra syntax pass runs only when decoding has already failed.
    static func document<T>(
        _ bytes: [UInt8], file: String, _ body: (inout JSONParser) throws(SpecError) -> T
    ) throws(SpecError) -> T {
        try bytes.withUnsafeBufferPointer { (buffer) throws(SpecError) -> T in
            do throws(SpecError) {
                var reader = JSONParser(bytes: buffer)
                let result = try body(&reader)
                try reader.finish()
                return result
            } catch {
                if error.line == nil,
                    case .failure(let syntax) = JSONParser.outcome(buffer, maxDepth: JSONValue.defaultMaxDepth)
                {
                    throw SpecError(syntax: syntax, file: file)
                }
                throw error.withFile(file)
            }
        }
    }
}

/// Builds a JSON object in field order, leaving out absent (nil) fields.
///
/// Present values are always written, even when empty or zero: a decoded
/// config re-encodes with exactly the fields it had. Go's omitempty would drop
/// `"args": []` or `"terminal": false`; the default spec never holds such
/// values, so `runc spec` output is still reproduced byte for byte.
struct ObjectBuilder {
    private(set) var members: [(key: String, value: JSONValue)] = []

    var value: JSONValue { .object(members) }

    mutating func add(_ key: String, _ value: (some JSONRepresentable)?) {
        if let value {
            members.append((key: key, value: value.jsonValue))
        }
    }

    mutating func add(_ key: String, _ value: JSONValue?) {
        if let value {
            members.append((key: key, value: value))
        }
    }
}

extension String: JSONRepresentable {
    var jsonValue: JSONValue { .string(self) }
}

extension Bool: JSONRepresentable {
    var jsonValue: JSONValue { .bool(self) }
}

extension Int: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}
extension Int32: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}
extension Int64: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}
extension UInt: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}
extension UInt16: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}
extension UInt32: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}
extension UInt64: JSONRepresentable {
    var jsonValue: JSONValue { .number(String(self)) }
}

extension Array: JSONRepresentable where Element: JSONRepresentable {
    var jsonValue: JSONValue { .array(map(\.jsonValue)) }
}

extension OrderedMap: JSONRepresentable where Value: JSONRepresentable {
    var jsonValue: JSONValue {
        .object(map { (key: $0.key, value: $0.value.jsonValue) })
    }
}
