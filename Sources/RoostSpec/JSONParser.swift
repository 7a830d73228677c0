/// Why a document is not JSON, and where: line and column are 1-based, the
/// column counts Unicode scalars (so it matches what an editor shows for UTF-8
/// text), the offset counts bytes from the start.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(message: String, line: Int, column: Int, offset: Int) {
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "\(line):\(column): \(message)" }
}

extension JSONValue {
    /// The deepest nesting accepted by default; OCI configs nest about 6
    /// levels, and the parser recurses once per level.
    public static let defaultMaxDepth = 512

    /// Parses one RFC 8259 JSON text (strict: no comments, no trailing commas,
    /// no byte-order mark, UTF-8 only, no unpaired surrogates).
    public static func parse(
        _ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        if let outcome = bytes.withContiguousStorageIfAvailable({ JSONParser.outcome($0, maxDepth: maxDepth) }) {
            return try outcome.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { JSONParser.outcome($0, maxDepth: maxDepth) }.get()
    }

    public static func parse(
        _ buffer: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(buffer.assumingMemoryBound(to: UInt8.self), maxDepth: maxDepth)
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { JSONParser.outcome($0, maxDepth: maxDepth) }.get()
    }
}

/// A single-pass recursive-descent parser over contiguous bytes.
///
/// Strings without escapes (nearly all of them in an OCI config) are made
/// straight from the input slice; only strings with escapes go through a
/// reused scratch buffer.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    let maxDepth: Int
    private var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = JSONValue.defaultMaxDepth) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// For closure-taking APIs that only rethrow untyped errors.
    static func outcome(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONParseError> {
        do throws(JSONParseError) {
            return .success(try parse(bytes, maxDepth: maxDepth))
        } catch {
            return .failure(error)
        }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("unexpected \(parser.describeByte(at: parser.index)) after the top-level value")
        }
        return value
    }

    // MARK: Values

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            index += 1
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error("expected a value, found \(describeByte(at: index))")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([])
        }
        var members: [(key: String, value: JSONValue)] = []
        while true {
            guard index < bytes.count else { throw error("unexpected end of input, expected an object key") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string as object key, found \(describeByte(at: index))")
            }
            index += 1
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ':' after object key") }
            guard bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key: key, value: value))
            skipWhitespace()
            guard index < bytes.count else {
                throw error("unexpected end of input, expected ',' or '}' after object member")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default:
                throw error("expected ',' or '}' after object member")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        var elements: [JSONValue] = []
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else {
                throw error("unexpected end of input, expected ',' or ']' after array element")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw error("expected ',' or ']' after array element")
            }
        }
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw error("nesting deeper than \(maxDepth) levels")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for i in 0..<count {
            guard index + i < bytes.count else {
                throw error("unexpected end of input in literal '\(literal)'", at: index)
            }
            guard bytes[index + i] == start[i] else {
                throw error("invalid literal, expected '\(literal)'", at: index)
            }
        }
        index += count
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        try scanNumber()
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    /// Moves past a number. Grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func scanNumber() throws(JSONParseError) {
        var i = index
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, isDigit(bytes[i]) else {
            throw error("invalid number: expected a digit", at: i)
        }
        if bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, isDigit(bytes[i]) else {
                throw error("invalid number: expected a digit after '.'", at: i)
            }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, isDigit(bytes[i]) else {
                throw error("invalid number: expected a digit in the exponent", at: i)
            }
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        index = i
    }

    // MARK: Strings

    /// Parses the rest of a string whose opening quote has been consumed.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        var i = index
        var sawNonASCII = false
        // Eight bytes at a time while none of them ends the fast path: a quote,
        // a backslash or a control character (SWAR: each test sets the high
        // bit of the matching byte lanes).
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            var highBits: UInt64 = 0
            while i + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let special =
                    ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                if special & highs != 0 { break }
                highBits |= word
                i += 8
            }
            sawNonASCII = highBits & highs != 0
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<i])
                if !sawNonASCII {
                    return String(decoding: slice, as: UTF8.self)
                }
                if let s = String(validating: slice, as: UTF8.self) {
                    return s
                }
                throw error("invalid UTF-8 in string", at: firstInvalidUTF8(in: start..<i))
            }
            if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(start: start, firstEscape: i)
            }
            if byte < 0x20 {
                throw error("control character \(describeByte(at: i)) in string (must be escaped)", at: i)
            }
            if byte >= 0x80 { sawNonASCII = true }
            i += 1
        }
        throw error("unterminated string", at: start - 1)
    }

    private mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstEscape]))
        var i = firstEscape
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                index = i + 1
                if let s = String(validating: scratch, as: UTF8.self) { return s }
                throw error("invalid UTF-8 in string", at: firstInvalidUTF8(in: start..<i))
            case UInt8(ascii: "\\"):
                i = try appendEscape(at: i)
            case 0..<0x20:
                throw error("control character \(describeByte(at: i)) in string (must be escaped)", at: i)
            default:
                scratch.append(byte)
                i += 1
            }
        }
        throw error("unterminated string", at: start - 1)
    }

    /// Decodes the escape at `i` (a backslash) into `scratch`; returns the
    /// index after it.
    private mutating func appendEscape(at i: Int) throws(JSONParseError) -> Int {
        guard i + 1 < bytes.count else { throw error("unterminated string", at: i) }
        let simple: UInt8
        switch bytes[i + 1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            return try appendUnicodeEscape(at: i)
        default:
            throw error("invalid escape '\\\(describeRawByte(bytes[i + 1]))' in string", at: i)
        }
        scratch.append(simple)
        return i + 2
    }

    private mutating func appendUnicodeEscape(at i: Int) throws(JSONParseError) -> Int {
        let high = try hex4(at: i + 2, escapeStart: i)
        var scalarValue = UInt32(high)
        var next = i + 6
        if (0xD800...0xDBFF).contains(high) {
            guard next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u")
            else {
                throw error("unpaired surrogate \\u\(hexText(high)) in string", at: i)
            }
            let low = try hex4(at: next + 2, escapeStart: next)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error("unpaired surrogate \\u\(hexText(high)) in string", at: i)
            }
            scalarValue = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next += 6
        } else if (0xDC00...0xDFFF).contains(high) {
            throw error("unpaired surrogate \\u\(hexText(high)) in string", at: i)
        }
        appendUTF8(scalarValue)
        return next
    }

    /// `value` is a Unicode scalar value: surrogates were rejected by the caller.
    private mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case 0..<0x80:
            scratch.append(UInt8(value))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | value >> 6))
            scratch.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | value >> 12))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | value >> 18))
            scratch.append(UInt8(0x80 | value >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        }
    }

    private func hex4(at i: Int, escapeStart: Int) throws(JSONParseError) -> UInt16 {
        guard i + 4 <= bytes.count else { throw error("unterminated \\u escape in string", at: escapeStart) }
        var value: UInt16 = 0
        for k in i..<(i + 4) {
            let b = bytes[k]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape in string: expected 4 hex digits", at: escapeStart)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    private func hexText(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// Finds the first byte of an invalid UTF-8 sequence, for the error position.
    private func firstInvalidUTF8(in range: Range<Int>) -> Int {
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var lowest: UInt8 = 0x80
            var highest: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                highest = 0x9F
            case 0xF0:
                length = 4
                lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                highest = 0x8F
            default: return i
            }
            guard i + length <= range.upperBound else { return i }
            guard (lowest...highest).contains(bytes[i + 1]) else { return i }
            for k in (i + 2)..<(i + length) where bytes[k] & 0xC0 != 0x80 {
                return i
            }
            i += length
        }
        return range.lowerBound
    }

    // MARK: Helpers

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool {
        b &- UInt8(ascii: "0") < 10
    }

    func describeByte(at i: Int) -> String {
        guard i < bytes.count else { return "end of input" }
        return "'\(describeRawByte(bytes[i]))'"
    }

    private func describeRawByte(_ b: UInt8) -> String {
        if b >= 0x20 && b < 0x7F { return String(UnicodeScalar(b)) }
        let digits = String(b, radix: 16, uppercase: true)
        return "\\x" + (digits.count == 1 ? "0" + digits : digits)
    }

    func error(_ message: String) -> JSONParseError {
        error(message, at: index)
    }

    /// Line and column are computed only here, so the hot path never tracks them.
    func error(_ message: String, at offset: Int) -> JSONParseError {
        let end = min(offset, bytes.count)
        var line = 1
        var column = 1
        for i in 0..<end {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(message: message, line: line, column: column, offset: offset)
    }
}
