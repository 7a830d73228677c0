import RoostSpec
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    private func parseError(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "string escapes decode to the characters they name",
        arguments: [
            (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
            (#""\u0041\u00e9\u4E2D""#, "Aé中"),
            (#""\ud83d\ude00""#, "😀"),
            (#""\uD83D\uDE00 and text""#, "😀 and text"),
            (#""plain ascii""#, "plain ascii"),
            (#""naïve – ünïcödé 😀""#, "naïve – ünïcödé 😀"),
            (#""\u0000""#, "\u{0}"),
            (#""""#, ""),
        ])
    func escapes(json: String, expected: String) throws {
        #expect(try JSONValue.parse(json) == .string(expected))
    }

    @Test(
        "malformed strings are rejected with a reason",
        arguments: [
            (#""\ud83d""#, "unpaired surrogate \\uD83D in string"),
            (#""\ude00""#, "unpaired surrogate \\uDE00 in string"),
            (#""\ud83d\u0041""#, "unpaired surrogate \\uD83D in string"),
            (#""\ud83dx""#, "unpaired surrogate \\uD83D in string"),
            (#""\x""#, "invalid escape '\\x' in string"),
            (#""\u12G4""#, "invalid \\u escape in string: expected 4 hex digits"),
            (#""\u12""#, "unterminated \\u escape in string"),
            ("\"a\nb\"", "control character '\\x0A' in string (must be escaped)"),
            ("\"a\tb\"", "control character '\\x09' in string (must be escaped)"),
            (#""abc"#, "unterminated string"),
            (#""abc\"#, "unterminated string"),
        ])
    func badStrings(json: String, message: String) {
        #expect(parseError(json)?.message == message)
    }

    @Test(
        "invalid UTF-8 is rejected at the offending byte",
        arguments: [
            ([0x22, 0x61, 0xFF, 0x22], 2),  // never valid
            ([0x22, 0x61, 0xC0, 0xAF, 0x22], 2),  // overlong '/'
            ([0x22, 0x61, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate
            ([0x22, 0x61, 0xE2, 0x82, 0x22], 2),  // truncated sequence
            ([0x22, 0x5C, 0x6E, 0x61, 0xFF, 0x22], 4),  // after an escape (slow path)
        ] as [([UInt8], Int)])
    func invalidUTF8(input: [UInt8], offset: Int) throws {
        let error = try #require(throws: JSONParseError.self) { try JSONValue.parse(input) }
        #expect(error.message == "invalid UTF-8 in string")
        #expect(error.offset == offset)
    }

    @Test(
        "numbers keep their exact text",
        arguments: ["0", "-0", "1", "-1", "1.5", "-1.5e10", "1E+2", "1e-2", "18446744073709551616", "0.000001"])
    func numbers(text: String) throws {
        #expect(try JSONValue.parse(text) == .number(text))
        #expect(try JSONValue.parse("[\(text)]") == .array([.number(text)]))
    }

    @Test(
        "malformed numbers are rejected",
        arguments: [
            ("01", "unexpected '1' after the top-level value"),
            ("1.", "invalid number: expected a digit after '.'"),
            (".5", "expected a value, found '.'"),
            ("-", "invalid number: expected a digit"),
            ("-a", "invalid number: expected a digit"),
            ("+1", "expected a value, found '+'"),
            ("1e", "invalid number: expected a digit in the exponent"),
            ("1e+", "invalid number: expected a digit in the exponent"),
            ("NaN", "expected a value, found 'N'"),
            ("Infinity", "expected a value, found 'I'"),
            ("0x10", "unexpected 'x' after the top-level value"),
            ("[1,]", "expected a value, found ']'"),
        ])
    func badNumbers(json: String, message: String) {
        #expect(parseError(json)?.message == message)
    }

    @Test(
        "structural errors say what was expected",
        arguments: [
            ("", "unexpected end of input, expected a value"),
            ("   \n ", "unexpected end of input, expected a value"),
            ("tru", "unexpected end of input in literal 'true'"),
            ("nul", "unexpected end of input in literal 'null'"),
            ("trUe", "invalid literal, expected 'true'"),
            ("{\"a\":1,}", "expected a string as object key, found '}'"),
            ("{\"a\" 1}", "expected ':' after object key"),
            ("{\"a\":1 \"b\":2}", "expected ',' or '}' after object member"),
            ("{a:1}", "expected a string as object key, found 'a'"),
            ("[1 2]", "expected ',' or ']' after array element"),
            ("[1", "unexpected end of input, expected ',' or ']' after array element"),
            ("{\"a\":1", "unexpected end of input, expected ',' or '}' after object member"),
            ("{}{}", "unexpected '{' after the top-level value"),
            ("\u{FEFF}{}", "expected a value, found '\\xEF'"),
            ("// comment\n{}", "expected a value, found '/'"),
            ("{\"a\":1}\u{0}", "unexpected '\\x00' after the top-level value"),
        ])
    func structuralErrors(json: String, message: String) {
        #expect(parseError(json)?.message == message)
    }

    @Test("errors carry 1-based line and column, counting characters not bytes")
    func lineAndColumn() throws {
        let text = "{\n  \"process\": {\n    \"args\": [\"é\" \"x\"]\n  }\n}"
        let error = try #require(parseError(text))
        #expect(error.line == 3)
        #expect(error.column == 18)
        #expect(error.description == "3:18: expected ',' or ']' after array element")

        let first = try #require(parseError("x"))
        #expect((first.line, first.column, first.offset) == (1, 1, 0))
    }

    @Test("nesting up to the limit parses, one level deeper fails")
    func depth() throws {
        let limit = JSONValue.defaultMaxDepth
        let deep = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try JSONValue.parse(deep) }
        let tooDeep = "[" + deep + "]"
        #expect(parseError(tooDeep)?.message == "nesting deeper than \(limit) levels")
        let objects = String(repeating: "{\"a\":", count: 3) + "1" + String(repeating: "}", count: 3)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(objects, maxDepth: 2) }
        #expect(throws: Never.self) { try JSONValue.parse(objects, maxDepth: 3) }
    }

    @Test("objects keep member order and duplicates; lookups take the last")
    func objectOrder() throws {
        let value = try JSONValue.parse(#"{"b": 1, "a": 2, "b": 3}"#)
        let members = try #require(value.objectValue)
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(value["b"] == .number("3"))
        #expect(value["missing"] == nil)
    }

    @Test("scalars, whitespace and empty containers at top level")
    func topLevel() throws {
        #expect(try JSONValue.parse(" \t\r\n true \n") == .bool(true))
        #expect(try JSONValue.parse("null") == .null)
        #expect(try JSONValue.parse("\"s\"") == .string("s"))
        #expect(try JSONValue.parse("[ ]") == .array([]))
        #expect(try JSONValue.parse("{ }") == .object([]))
        #expect(
            try JSONValue.parse(#"[{"a":[null,false]}]"#) == .array([.object([("a", .array([.null, .bool(false)]))])]))
    }

    @Test("every input form parses the same")
    func inputForms() throws {
        let text = #"{"k": ["v", 1]}"#
        let expected = try JSONValue.parse(text)
        let bytes = Array(text.utf8)
        #expect(try JSONValue.parse(bytes) == expected)
        #expect(try JSONValue.parse(bytes[...]) == expected)
        #expect(try bytes.withUnsafeBytes { raw in try JSONValue.parse(raw) } == expected)
        // Not contiguous: goes through the copying path.
        #expect(try JSONValue.parse(bytes.indices.lazy.map { bytes[$0] }) == expected)
    }

    @Test(
        "integer conversion is exact and range-checked",
        arguments: [
            ("4294967295", true), ("4294967296", false), ("-1", false), ("1.0", false), ("1e3", false),
            ("-0", false), ("0", true),
        ])
    func exactUInt32(text: String, fits: Bool) {
        #expect((JSONValue.number(text).integerValue(as: UInt32.self) != nil) == fits)
    }

    @Test("signed integers reach both ends of their range")
    func signedRange() {
        #expect(JSONValue.number("-9223372036854775808").integerValue(as: Int64.self) == Int64.min)
        #expect(JSONValue.number("9223372036854775807").integerValue(as: Int64.self) == Int64.max)
        #expect(JSONValue.number("9223372036854775808").integerValue(as: Int64.self) == nil)
        #expect(JSONValue.number("-9223372036854775809").integerValue(as: Int64.self) == nil)
        #expect(JSONValue.number("-0").integerValue(as: Int32.self) == 0)
        #expect(JSONValue.string("1").integerValue(as: Int32.self) == nil)
    }
}
