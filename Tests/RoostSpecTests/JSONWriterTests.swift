import RoostSpec
import Testing

@Suite("JSON writer")
struct JSONWriterTests {
    @Test(
        "strings are escaped exactly as Go's encoding/json does",
        arguments: [
            ("plain", #""plain""#),
            ("quote\" backslash\\ slash/", #""quote\" backslash\\ slash/""#),
            ("<script>&amp;</script>", #""\u003cscript\u003e\u0026amp;\u003c/script\u003e""#),
            ("\u{2028}line\u{2029}para", #""\u2028line\u2029para""#),
            ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
            ("\u{0}\u{1}\u{1F}", #""\u0000\u0001\u001f""#),
            ("del\u{7F}", "\"del\u{7F}\""),
            ("é 中 😀 \u{2027}\u{202A}", "\"é 中 😀 \u{2027}\u{202A}\""),
            ("", #""""#),
        ])
    func goEscaping(input: String, expected: String) {
        #expect(JSONValue.string(input).serialized() == expected)
    }

    @Test("HTML escaping can be turned off")
    func noHTMLEscaping() {
        #expect(JSONValue.string("<&>").serialized(escapeHTML: false) == #""<&>""#)
    }

    @Test("compact output has no whitespace")
    func compact() throws {
        let value = try JSONValue.parse(#"{ "a" : [ 1 , true , null , { } , [ ] ] , "b" : { "c" : "d" } }"#)
        #expect(value.serialized() == #"{"a":[1,true,null,{},[]],"b":{"c":"d"}}"#)
    }

    @Test("indented output matches json.MarshalIndent(v, \"\", \"\\t\")")
    func indented() throws {
        let value = try JSONValue.parse(#"{"a":[1,{"x":[]}],"b":{},"c":{"d":"e"}}"#)
        let expected = """
            {
            \t"a": [
            \t\t1,
            \t\t{
            \t\t\t"x": []
            \t\t}
            \t],
            \t"b": {},
            \t"c": {
            \t\t"d": "e"
            \t}
            }
            """
        #expect(value.serialized(style: .indented) == expected)
        #expect(JSONValue.array([]).serialized(style: .indented) == "[]")
        #expect(JSONValue.number("7").serialized(style: .indented) == "7")
    }

    @Test("numbers are written as their raw text")
    func numbers() {
        #expect(JSONValue.number("-1.5e10").serialized() == "-1.5e10")
        #expect(JSONValue.integer(UInt64.max).serialized() == "18446744073709551615")
        #expect(JSONValue.integer(Int64.min).serialized() == "-9223372036854775808")
    }

    @Test(
        "parse(serialize(v)) == v",
        arguments: [
            #"{"k":"v","n":[1,2.5,-3e-2],"o":{"nested":[true,false,null]},"k":"dup"}"#,
            #"["\u003c\u2028\u0001\ud83d\ude00 \"quoted\" \\"]"#,
            #"{}"#,
        ])
    func roundTrip(json: String) throws {
        let value = try JSONValue.parse(json)
        #expect(try JSONValue.parse(value.serialized()) == value)
        #expect(try JSONValue.parse(value.serialized(style: .indented)) == value)
    }
}
