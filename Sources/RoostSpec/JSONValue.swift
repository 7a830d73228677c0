/// A JSON document as parsed, without interpretation.
///
/// Numbers keep their raw text so callers can convert them to exact integer
/// types with range checks (a `Double` would silently round 64-bit values).
/// Objects keep their members in document order, duplicates included, so that
/// state files and annotations round-trip unchanged.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's text exactly as it appeared (RFC 8259 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for i in a.indices where a[i].key != b[i].key || a[i].value != b[i].value {
                return false
            }
            return true
        default: return false
        }
    }
}

extension JSONValue {
    /// Builds a number from any integer, for writers of state files.
    public static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(String(value))
    }

    /// The member of an object with this key; the last one wins on duplicates,
    /// as Go's decoder (and hence runc) does.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        var found: JSONValue?
        for member in members where member.key == key {
            found = member.value
        }
        return found
    }

    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The number converted exactly to `T`; nil for fractions, exponents,
    /// out-of-range values and non-numbers.
    public func integerValue<T: FixedWidthInteger>(as type: T.Type = T.self) -> T? {
        guard case .number(let text) = self else { return nil }
        return JSONValue.exactInteger(text)
    }

    /// The number as a `Double` (for the rare field that is a float).
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// What the value is, as used in "expected X, got Y" messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Parses JSON integer text as `T`, accepting only what Go's
    /// strconv.ParseInt/ParseUint accept for JSON numbers: no fraction, no
    /// exponent, no "-0" for unsigned types.
    static func exactInteger<T: FixedWidthInteger>(_ text: String) -> T? {
        var text = text
        return text.withUTF8 { exactInteger($0) }
    }

    static func exactInteger<T: FixedWidthInteger>(_ bytes: UnsafeBufferPointer<UInt8>) -> T? {
        var i = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative {
            guard T.isSigned else { return nil }
            i = 1
        }
        guard i < bytes.count else { return nil }
        var value: T = 0
        while i < bytes.count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            // Negative values accumulate downwards so that T.min is reachable.
            let (next, o2) =
                negative
                ? shifted.subtractingReportingOverflow(T(digit))
                : shifted.addingReportingOverflow(T(digit))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }
}
