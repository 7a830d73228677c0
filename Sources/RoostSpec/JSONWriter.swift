/// Serializes `JSONValue` the way Go's encoding/json does, byte for byte, so
/// that `roost spec` and state files look exactly like runc's.
///
/// Matches Go: `<`, `>`, `&`, U+2028 and U+2029 are escaped as \u003c, \u003e,
/// \u0026, \u2028, \u2029 (HTML-safe by default); \b \f \n \r \t use their
/// short escapes (Go ≥ 1.22) and other control bytes use lowercase \u00xx;
/// empty containers stay `[]` and `{}` when indented.
public struct JSONWriter {
    public enum Style: Sendable, Equatable {
        /// No whitespace at all, like `json.Marshal`.
        case compact
        /// Like `json.MarshalIndent(v, "", "\t")`; no trailing newline.
        case indented
    }

    public private(set) var bytes: [UInt8] = []
    private let style: Style
    private let escapeHTML: Bool

    public init(style: Style, escapeHTML: Bool = true, reservingCapacity capacity: Int = 4096) {
        self.style = style
        self.escapeHTML = escapeHTML
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ value: JSONValue) {
        write(value, depth: 0)
    }

    private mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null:
            appendASCII("null")
        case .bool(let b):
            appendASCII(b ? "true" : "false")
        case .number(let text):
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        case .string(let s):
            writeString(s)
        case .array(let elements):
            if elements.isEmpty {
                appendASCII("[]")
                return
            }
            bytes.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                write(element, depth: depth + 1)
            }
            newline(depth: depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                appendASCII("{}")
                return
            }
            bytes.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                if style == .indented { bytes.append(UInt8(ascii: " ")) }
                write(member.value, depth: depth + 1)
            }
            newline(depth: depth)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func newline(depth: Int) {
        guard style == .indented else { return }
        bytes.append(0x0A)
        for _ in 0..<depth { bytes.append(0x09) }
    }

    private mutating func appendASCII(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    public mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { writeEscaped($0) }
    }

    /// Copies runs of bytes that need no escaping in one go.
    private mutating func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let count = utf8.count
        while i < count {
            let b = utf8[i]
            var escape: StaticString?
            var width = 1
            switch b {
            case UInt8(ascii: "\""): escape = "\\\""
            case UInt8(ascii: "\\"): escape = "\\\\"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0..<0x20: escape = ""  // \u00xx, written below
            case UInt8(ascii: "<") where escapeHTML: escape = "\\u003c"
            case UInt8(ascii: ">") where escapeHTML: escape = "\\u003e"
            case UInt8(ascii: "&") where escapeHTML: escape = "\\u0026"
            case 0xE2 where i + 2 < count && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9):
                // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: Go escapes
                // them so the output is also valid JavaScript.
                escape = utf8[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                width = 3
            default:
                break
            }
            guard let escape else {
                i += 1
                continue
            }
            if runStart < i {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
            }
            if escape.utf8CodeUnitCount == 0 {
                let hex: StaticString = "0123456789abcdef"
                appendASCII("\\u00")
                bytes.append(hex.utf8Start[Int(b >> 4)])
                bytes.append(hex.utf8Start[Int(b & 0xF)])
            } else {
                appendASCII(escape)
            }
            i += width
            runStart = i
        }
        if runStart < count {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// The serialized bytes; see `JSONWriter` for the exact layout.
    public func serializedBytes(style: JSONWriter.Style = .compact, escapeHTML: Bool = true) -> [UInt8] {
        var writer = JSONWriter(style: style, escapeHTML: escapeHTML)
        writer.write(self)
        return writer.bytes
    }

    public func serialized(style: JSONWriter.Style = .compact, escapeHTML: Bool = true) -> String {
        String(decoding: serializedBytes(style: style, escapeHTML: escapeHTML), as: UTF8.self)
    }
}
