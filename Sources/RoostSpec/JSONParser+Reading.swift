/// Pull-style reading for typed decoders: `Spec` is decoded straight from the
/// bytes, without building a `JSONValue` tree first. That halves the work on
/// the hot path of every container start; only unknown fields and the opaque
/// platform sections are parsed into trees.
///
/// Every method throws `SpecError`: syntax errors carry line and column (and
/// are never re-pathed), type mismatches carry an empty path that the typed
/// decoders extend as the error travels up.
extension JSONParser {
    enum Kind {
        case object, array, string, number, bool, null

        var name: String {
            switch self {
            case .object: return "object"
            case .array: return "array"
            case .string: return "string"
            case .number: return "number"
            case .bool: return "boolean"
            case .null: return "null"
            }
        }
    }

    /// Classifies the next value without consuming it.
    mutating func peekKind() throws(SpecError) -> Kind {
        skipWhitespace()
        guard index < bytes.count else { throw syntax("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw syntax("expected a value, found \(describeByte(at: index))")
        }
    }

    /// Consumes a `null` if that is what comes next.
    mutating func consumeNull() throws(SpecError) -> Bool {
        // Cheaper than peekKind: this runs before every member value.
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "n") else { return false }
        do {
            try expectLiteral("null")
        } catch {
            throw SpecError(syntax: error, file: "")
        }
        return true
    }

    mutating func readString() throws(SpecError) -> String {
        let kind = try peekKind()
        guard kind == .string else { throw mismatch("a string", kind) }
        index += 1
        do {
            return try parseString()
        } catch {
            throw SpecError(syntax: error, file: "")
        }
    }

    mutating func readBool() throws(SpecError) -> Bool {
        let kind = try peekKind()
        guard kind == .bool else { throw mismatch("a boolean", kind) }
        let value = bytes[index] == UInt8(ascii: "t")
        do {
            try expectLiteral(value ? "true" : "false")
        } catch {
            throw SpecError(syntax: error, file: "")
        }
        return value
    }

    /// Converts the number's digits directly; the text is only turned into a
    /// String for the error message.
    mutating func readInteger<T: FixedWidthInteger>(as type: T.Type = T.self) throws(SpecError) -> T {
        let kind = try peekKind()
        let expected = T.isSigned ? "a signed \(T.bitWidth)-bit integer" : "an unsigned \(T.bitWidth)-bit integer"
        guard kind == .number else { throw mismatch(expected, kind) }
        let start = index
        do {
            try scanNumber()
        } catch {
            throw SpecError(syntax: error, file: "")
        }
        let digits = UnsafeBufferPointer(rebasing: bytes[start..<index])
        guard let value: T = JSONValue.exactInteger(digits) else {
            throw SpecError("", "expected \(expected), got \(String(decoding: digits, as: UTF8.self))")
        }
        return value
    }

    /// Parses the next value into a tree (for sections kept verbatim).
    mutating func readValue() throws(SpecError) -> JSONValue {
        _ = try peekKind()
        do {
            return try parseValue()
        } catch {
            throw SpecError(syntax: error, file: "")
        }
    }

    /// Skips a value the decoder does not know, still checking its syntax.
    mutating func skipValue() throws(SpecError) {
        _ = try readValue()
    }

    // MARK: Containers

    /// Enters an object; then call `nextKey` until it returns nil, reading
    /// exactly one value after each key.
    mutating func beginObject() throws(SpecError) {
        let kind = try peekKind()
        guard kind == .object else { throw mismatch("an object", kind) }
        try enter()
    }

    /// The next member's key (its ':' consumed), or nil after the closing '}'.
    /// `first` is caller-held state, true until the first call.
    mutating func nextKey(_ first: inout Bool) throws(SpecError) -> String? {
        skipWhitespace()
        if first {
            first = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return nil
            }
        } else {
            guard index < bytes.count else {
                throw syntax("unexpected end of input, expected ',' or '}' after object member")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return nil
            default:
                throw syntax("expected ',' or '}' after object member")
            }
        }
        guard index < bytes.count else { throw syntax("unexpected end of input, expected an object key") }
        guard bytes[index] == UInt8(ascii: "\"") else {
            throw syntax("expected a string as object key, found \(describeByte(at: index))")
        }
        index += 1
        let key: String
        do {
            key = try parseString()
        } catch {
            throw SpecError(syntax: error, file: "")
        }
        skipWhitespace()
        guard index < bytes.count else { throw syntax("unexpected end of input, expected ':' after object key") }
        guard bytes[index] == UInt8(ascii: ":") else { throw syntax("expected ':' after object key") }
        index += 1
        return key
    }

    /// Enters an array; then call `nextElement` until it returns false,
    /// reading exactly one value each time it returns true.
    mutating func beginArray() throws(SpecError) {
        let kind = try peekKind()
        guard kind == .array else { throw mismatch("an array", kind) }
        try enter()
    }

    mutating func nextElement(_ first: inout Bool) throws(SpecError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else {
            throw syntax(
                first
                    ? "unexpected end of input, expected a value"
                    : "unexpected end of input, expected ',' or ']' after array element")
        }
        if first {
            first = false
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return false
            }
            return true
        }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return true
        case UInt8(ascii: "]"):
            index += 1
            depth -= 1
            return false
        default:
            throw syntax("expected ',' or ']' after array element")
        }
    }

    /// Requires that nothing but whitespace follows the top-level value.
    mutating func finish() throws(SpecError) {
        skipWhitespace()
        if index < bytes.count {
            throw syntax("unexpected \(describeByte(at: index)) after the top-level value")
        }
    }

    // MARK: Helpers

    private mutating func enter() throws(SpecError) {
        do {
            try enterContainer()
        } catch {
            throw SpecError(syntax: error, file: "")
        }
        index += 1
    }

    private func syntax(_ message: String) -> SpecError {
        SpecError(syntax: error(message), file: "")
    }

    private func mismatch(_ expected: String, _ kind: Kind) -> SpecError {
        SpecError("", "expected \(expected), got \(kind.name)")
    }
}
