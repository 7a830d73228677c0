/// A value written in GVariant's text format (as `busctl`, `gdbus` and godbus's ParseVariant
/// read it), the part of it a unit property takes: `true`/`false`; a bare integer (int32) or a
/// number with a point or exponent (double); a number after a type keyword (`byte`, `int16`,
/// `uint16`, `int32`, `uint32`, `int64`, `uint64`, `double`); a string in single or double quotes
/// (`string` and `objectpath` keywords too); an array `[a, b]` of one such type (an empty one
/// needs its type: `@as []`). Anything else is refused with what was not understood.
public enum GVariantText {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func parse(_ text: String) throws(ParseError) -> DBusValue {
        var p = Parser(chars: Array(text.unicodeScalars), i: 0)
        p.skipSpace()
        let v = try p.value(expected: nil)
        p.skipSpace()
        guard p.i == p.chars.count else { throw p.error("unexpected text after the value") }
        return v
    }

    struct Parser {
        let chars: [Unicode.Scalar]
        var i: Int

        func error(_ what: String) -> ParseError {
            ParseError(description: "\(what) at offset \(i) of \"\(String(String.UnicodeScalarView(chars)))\"")
        }

        mutating func skipSpace() {
            while i < chars.count, chars[i] == " " || chars[i] == "\t" || chars[i] == "\n" { i += 1 }
        }

        mutating func word() -> String {
            var w = ""
            while i < chars.count, chars[i].properties.isAlphabetic || ("0"..."9").contains(chars[i]) || chars[i] == "_" {
                w.unicodeScalars.append(chars[i])
                i += 1
            }
            return w
        }

        /// One value; `expected` is the signature an array or type annotation asks for.
        mutating func value(expected: String?) throws(ParseError) -> DBusValue {
            guard i < chars.count else { throw error("missing value") }
            let c = chars[i]
            if c == "@" {
                i += 1
                var sig = ""
                while i < chars.count, chars[i] != " " {
                    sig.unicodeScalars.append(chars[i])
                    i += 1
                }
                skipSpace()
                return try value(expected: sig)
            }
            if c == "[" { return try array(expected: expected) }
            if c == "'" || c == "\"" { return try typed(.string(try quoted()), expected) }
            if c == "-" || c == "+" || c == "." || ("0"..."9").contains(c) { return try number(keyword: nil, expected: expected) }
            let start = i
            let w = word()
            switch w {
            case "true": return try typed(.bool(true), expected)
            case "false": return try typed(.bool(false), expected)
            case "byte", "int16", "uint16", "int32", "uint32", "int64", "uint64", "double":
                skipSpace()
                return try number(keyword: w, expected: expected)
            case "string", "objectpath":
                skipSpace()
                guard i < chars.count, chars[i] == "'" || chars[i] == "\"" else { throw error("a quoted string after \(w)") }
                let s = try quoted()
                return try typed(w == "string" ? .string(s) : .objectPath(s), expected)
            default:
                i = start
                throw error("not a value GVariant's text format roost reads (a number, true/false, a quoted string or an array)")
            }
        }

        /// `v` if it is of the `expected` type (a bare number takes the expected numeric type).
        func typed(_ v: DBusValue, _ expected: String?) throws(ParseError) -> DBusValue {
            guard let expected, expected != v.signature else { return v }
            throw error("a value of type \(v.signature) where \(expected) is expected")
        }

        mutating func quoted() throws(ParseError) -> String {
            let q = chars[i]
            i += 1
            var s = ""
            while i < chars.count, chars[i] != q {
                if chars[i] == "\\" {
                    i += 1
                    guard i < chars.count else { break }
                    switch chars[i] {
                    case "n": s += "\n"
                    case "t": s += "\t"
                    default: s.unicodeScalars.append(chars[i])
                    }
                } else {
                    s.unicodeScalars.append(chars[i])
                }
                i += 1
            }
            guard i < chars.count else { throw error("unterminated string") }
            i += 1
            return s
        }

        mutating func number(keyword: String?, expected: String?) throws(ParseError) -> DBusValue {
            var t = ""
            while i < chars.count, chars[i] == "-" || chars[i] == "+" || chars[i] == "." || chars[i] == "e" || chars[i] == "E"
                || ("0"..."9").contains(chars[i]) || chars[i] == "x" || ("a"..."f").contains(chars[i]) || ("A"..."F").contains(chars[i])
            {
                t.unicodeScalars.append(chars[i])
                i += 1
            }
            let isFloat = !t.hasPrefix("0x") && (t.contains(".") || t.contains("e") || t.contains("E"))
            let sig: String
            switch keyword {
            case "byte": sig = "y"
            case "int16": sig = "n"
            case "uint16": sig = "q"
            case "int32": sig = "i"
            case "uint32": sig = "u"
            case "int64": sig = "x"
            case "uint64": sig = "t"
            case "double": sig = "d"
            default: sig = expected ?? (isFloat ? "d" : "i")
            }
            if let keyword, let expected, expected != sig { throw error("\(keyword) where \(expected) is expected") }
            let bad = error("\"\(t)\" is not a number of type \(sig)")
            func int<T: FixedWidthInteger>(_: T.Type) throws(ParseError) -> T {
                if t.hasPrefix("0x") { guard let v = T(t.dropFirst(2), radix: 16) else { throw bad }; return v }
                guard let v = T(t) else { throw bad }
                return v
            }
            switch sig {
            case "y": return .byte(try int(UInt8.self))
            case "n": return .int16(try int(Int16.self))
            case "q": return .uint16(try int(UInt16.self))
            case "i": return .int32(try int(Int32.self))
            case "u": return .uint32(try int(UInt32.self))
            case "x": return .int64(try int(Int64.self))
            case "t": return .uint64(try int(UInt64.self))
            case "d": guard let d = Double(t) else { throw bad }; return .double(d)
            default: throw error("a number where \(sig) is expected")
            }
        }

        mutating func array(expected: String?) throws(ParseError) -> DBusValue {
            if let expected, !expected.hasPrefix("a") { throw error("an array where \(expected) is expected") }
            var element = expected.map { String($0.dropFirst()) }
            i += 1
            var items: [DBusValue] = []
            skipSpace()
            while i < chars.count, chars[i] != "]" {
                let v = try value(expected: element)
                if element == nil { element = v.signature }
                items.append(v)
                skipSpace()
                if i < chars.count, chars[i] == "," {
                    i += 1
                    skipSpace()
                }
            }
            guard i < chars.count else { throw error("unterminated array") }
            i += 1
            guard let element else { throw error("an empty array needs its type (\"@as []\")") }
            return .array(element: element, items)
        }
    }
}
