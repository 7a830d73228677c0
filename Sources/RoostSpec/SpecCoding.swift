/// A spec struct that is a JSON object: each type lists its fields once for
/// decoding (`decodeField`) and once for encoding (`jsonValue`, in Go struct
/// order so output matches runc's).
protocol SpecObject: JSONRepresentable {
    /// The value Go's decoder starts from: absent fields keep these.
    static var decodingDefault: Self { get }
    /// JSON field names, used to match keys case-insensitively like Go.
    static var fieldNames: [String] { get }
    /// Returns false for a field this type does not know (ignored, as runc does).
    mutating func decodeField(_ key: String, _ value: JSONValue) throws(SpecError) -> Bool
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

enum Decode {
    static func string(_ value: JSONValue) throws(SpecError) -> String {
        guard case .string(let s) = value else { throw mismatch("a string", value) }
        return s
    }

    static func bool(_ value: JSONValue) throws(SpecError) -> Bool {
        guard case .bool(let b) = value else { throw mismatch("a boolean", value) }
        return b
    }

    static func integer<T: FixedWidthInteger>(_ value: JSONValue) throws(SpecError) -> T {
        guard case .number(let text) = value else { throw mismatch(integerKind(T.self), value) }
        guard let n: T = JSONValue.exactInteger(text) else {
            throw SpecError("", "expected \(integerKind(T.self)), got \(text)")
        }
        return n
    }

    static func array<T>(
        _ value: JSONValue, _ element: (JSONValue) throws(SpecError) -> T
    ) throws(SpecError) -> [T] {
        guard case .array(let items) = value else { throw mismatch("an array", value) }
        var result: [T] = []
        result.reserveCapacity(items.count)
        for i in items.indices {
            do {
                result.append(try element(items[i]))
            } catch {
                throw error.under(index: i)
            }
        }
        return result
    }

    static func strings(_ value: JSONValue) throws(SpecError) -> [String] {
        try array(value, string)
    }

    static func objects<T: SpecObject>(_ value: JSONValue) throws(SpecError) -> [T] {
        try array(value) { (item) throws(SpecError) -> T in try object(item) }
    }

    /// Decodes a struct, following Go's encoding/json: a null member leaves the
    /// field at its default, repeated keys let the last one win, and a key with
    /// no exact match may match a field case-insensitively.
    static func object<T: SpecObject>(_ value: JSONValue) throws(SpecError) -> T {
        guard case .object(let members) = value else { throw mismatch("an object", value) }
        var result = T.decodingDefault
        var seen: [String] = []
        for member in members {
            if case .null = member.value { continue }
            do {
                if try result.decodeField(member.key, member.value) {
                    if T.checksPresence { seen.append(member.key) }
                } else if let canonical = foldedMatch(member.key, in: T.fieldNames) {
                    _ = try result.decodeField(canonical, member.value)
                    if T.checksPresence { seen.append(canonical) }
                }
            } catch {
                throw error.under(field: member.key)
            }
        }
        if T.checksPresence {
            try result.checkPresence(seen)
        }
        return result
    }

    static func map<T>(
        _ value: JSONValue, _ element: (JSONValue) throws(SpecError) -> T
    ) throws(SpecError) -> OrderedMap<T> {
        guard case .object(let members) = value else { throw mismatch("an object", value) }
        var result = OrderedMap<T>()
        for member in members {
            do {
                result[member.key] = try element(member.value)
            } catch {
                throw error.under(key: member.key)
            }
        }
        return result
    }

    static func mismatch(_ expected: String, _ value: JSONValue) -> SpecError {
        SpecError("", "expected \(expected), got \(value.kindName)")
    }

    static func integerKind<T: FixedWidthInteger>(_ type: T.Type) -> String {
        T.isSigned ? "a signed \(T.bitWidth)-bit integer" : "an unsigned \(T.bitWidth)-bit integer"
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
