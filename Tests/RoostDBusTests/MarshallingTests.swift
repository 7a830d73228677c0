import Testing
@testable import RoostDBus

/// Expected bytes written out by hand from the D-Bus specification's marshalling rules
/// (little-endian; every type aligned to its size from the message's start, structs and dict
/// entries to 8; an array's length excludes the padding before its first element).
struct MarshallingTests {
    func bytes(_ v: DBusValue) -> [UInt8] {
        var w = DBusWriter()
        w.write(v)
        return w.bytes
    }

    func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func basicTypes() {
        #expect(bytes(.byte(7)) == [7])
        #expect(bytes(.bool(true)) == [1, 0, 0, 0])
        #expect(bytes(.uint32(0x0102_0304)) == [4, 3, 2, 1])
        #expect(bytes(.uint64(UInt64.max)) == [UInt8](repeating: 0xff, count: 8))
        // STRING: uint32 length, the bytes, a NUL not counted in the length.
        #expect(bytes(.string("ab")) == [2, 0, 0, 0] + ascii("ab") + [0])
        // SIGNATURE: one length byte, then the same.
        #expect(bytes(.signature("a(sv)")) == [5] + ascii("a(sv)") + [0])
    }

    /// A unit property list as systemd takes it: a(sv) with [("A", <uint32 7>)].
    ///   0: array length 16        4: pad to 8 (the struct)
    ///   8: "A": length 1, 'A', NUL      14: variant signature "u": 1 'u' NUL
    ///  17: pad to 4                     20: uint32 7                        24: end
    @Test func propertyArray() {
        let expected: [UInt8] = [16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x41, 0, 1, 0x75, 0, 0, 0, 0, 7, 0, 0, 0]
        #expect(bytes(.properties([("A", .uint32(7))])) == expected)
    }

    /// A uint64 in a variant pads to 8 after the signature; an empty array still pads to its
    /// element's alignment, with length 0.
    ///   0: "t" variant: 1 't' NUL     3: pad to 8     8: uint64 5     16: end
    @Test func variantAlignment() {
        #expect(bytes(.variant(.uint64(5))) == [1, 0x74, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0])
        #expect(bytes(.array(element: "(sv)", [])) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(bytes(.array(element: "u", [.uint32(1), .uint32(2)])) == [8, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0])
    }

    /// org.freedesktop.DBus.Hello, serial 1, as the bus's first message:
    ///   0: 'l' METHOD_CALL(1) flags 0 version 1   4: body length 0   8: serial 1   12: fields length 109
    ///  16: (PATH=1, <o "/org/freedesktop/DBus">): 1, sig 1 'o' NUL, pad to 20, len 21, 21 bytes, NUL → 46
    ///  48: (INTERFACE=2, <s "org.freedesktop.DBus">): 2, 1 's' NUL, len 20 at 52, bytes, NUL → 77
    ///  80: (MEMBER=3, <s "Hello">): 3, 1 's' NUL, len 5 at 84, bytes, NUL → 94
    ///  96: (DESTINATION=6, <s "org.freedesktop.DBus">): 6, 1 's' NUL, len 20 at 100, bytes, NUL → 125
    /// 125: pad the header to 8 → 128, no body (and so no SIGNATURE field).
    static let hello: [UInt8] = {
        let path = [UInt8]("/org/freedesktop/DBus".utf8), bus = [UInt8]("org.freedesktop.DBus".utf8)
        var b: [UInt8] = [0x6c, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 109, 0, 0, 0]
        b += [1, 1, 0x6f, 0, 21, 0, 0, 0] + path + [0] + [0, 0]
        b += [2, 1, 0x73, 0, 20, 0, 0, 0] + bus + [0] + [0, 0, 0]
        b += [3, 1, 0x73, 0, 5, 0, 0, 0] + Array("Hello".utf8) + [0] + [0, 0]
        b += [6, 1, 0x73, 0, 20, 0, 0, 0] + bus + [0] + [0, 0, 0]
        return b
    }()

    @Test func helloMessage() throws {
        let m = DBusMessage.methodCall(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                                       interface: "org.freedesktop.DBus", member: "Hello")
        var numbered = m
        numbered.serial = 1
        #expect(Self.hello.count == 128)
        #expect(numbered.marshal() == Self.hello)
        #expect(DBusMessage.length(header: Array(Self.hello[0..<16])) == 128)
        #expect(try DBusMessage(unmarshal: Self.hello) == numbered)
    }

    /// A method return with a body: REPLY_SERIAL=5, SIGNATURE "o", body <o "/j/1">.
    ///   0: 'l' METHOD_RETURN(2) 0 1   4: body length 9   8: serial 2   12: fields length 15
    ///  16: (5, <u 5>): 5, 1 'u' NUL, pad to 20, uint32 5 → 24
    ///  24: (SIGNATURE=8, <g "o">): 8, 1 'g' NUL, 1 'o' NUL → 31, so the fields' length is 15
    ///  31: pad to 32; body: length 4, "/j/1", NUL → 9 bytes
    @Test func replyWithBody() throws {
        var header: [UInt8] = [0x6c, 2, 0, 1, 9, 0, 0, 0, 2, 0, 0, 0, 15, 0, 0, 0]
        header += [5, 1, 0x75, 0, 5, 0, 0, 0]          // 16..24
        header += [8, 1, 0x67, 0, 1, 0x6f, 0]          // 24..31: fields length 31-16 = 15
        header += [0]                                    // pad to 32
        let body: [UInt8] = [4, 0, 0, 0] + Array("/j/1".utf8) + [0]  // 9 bytes
        let m = try DBusMessage(unmarshal: header + body)
        #expect(m.kind == .methodReturn)
        #expect(m.replySerial == 5)
        #expect(m.body == [.objectPath("/j/1")])
        var again = DBusMessage(kind: .methodReturn)
        again.serial = 2
        again.replySerial = 5
        again.body = [.objectPath("/j/1")]
        #expect(again.marshal() == header + body)
    }

    /// systemd's StartTransientUnit arguments survive a round trip through the wire format.
    @Test func transientUnitRoundTrip() throws {
        let props = DBusValue.properties([
            ("Description", .string("roost container abc")),
            ("Slice", .string("system.slice")),
            ("Delegate", .bool(true)),
            ("PIDs", .array(element: "u", [.uint32(4242)])),
            ("MemoryMax", .uint64(1 << 30)),
            ("AllowedCPUs", .array(element: "y", [.byte(0b101)])),
        ])
        let aux = DBusValue.array(element: "(sa(sv))", [])
        var m = DBusMessage.methodCall(destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1",
                                       interface: "org.freedesktop.systemd1.Manager", member: "StartTransientUnit",
                                       body: [.string("roost-abc.scope"), .string("replace"), props, aux])
        m.serial = 9
        #expect(m.signature == "ssa(sv)a(sa(sv))")
        #expect(try DBusMessage(unmarshal: m.marshal()) == m)
    }

    @Test func bigEndianDecodes() throws {
        // The same uint32 body written by a big-endian peer: 'B', lengths and values reversed.
        var header: [UInt8] = [0x42, 2, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0, 15]
        header += [5, 1, 0x75, 0, 0, 0, 0, 5]
        header += [8, 1, 0x67, 0, 1, 0x75, 0, 0]
        let m = try DBusMessage(unmarshal: header + [0, 0, 0, 42])
        #expect(m.replySerial == 5)
        #expect(m.body == [.uint32(42)])
    }

    @Test func malformedInputThrows() {
        #expect(throws: DBusDecodeError.self) { try DBusMessage(unmarshal: Array(Self.hello[0..<100])) }
        var r = DBusReader([3, 0, 0, 0, 0x61, 0x62])  // a string whose NUL is missing
        #expect(throws: DBusDecodeError.self) { try r.read("s") }
    }
}
