/// One D-Bus message: the header's fixed part and fields, and the body's values.
public struct DBusMessage: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        case methodCall = 1, methodReturn = 2, error = 3, signal = 4
    }

    /// Header field codes (the specification's table).
    enum Field: UInt8 {
        case path = 1, interface, member, errorName, replySerial, destination, sender, signature, unixFDs
    }

    public var kind: Kind
    /// NO_REPLY_EXPECTED (0x1), NO_AUTO_START (0x2), ALLOW_INTERACTIVE_AUTHORIZATION (0x4).
    public var flags: UInt8 = 0
    public var serial: UInt32 = 0
    public var path: String?
    public var interface: String?
    public var member: String?
    public var errorName: String?
    public var replySerial: UInt32?
    public var destination: String?
    public var sender: String?
    public var body: [DBusValue] = []

    public init(kind: Kind) { self.kind = kind }

    public static func methodCall(
        destination: String?, path: String, interface: String?, member: String, body: [DBusValue] = []
    ) -> DBusMessage {
        var m = DBusMessage(kind: .methodCall)
        m.destination = destination
        m.path = path
        m.interface = interface
        m.member = member
        m.body = body
        return m
    }

    public var signature: String { body.map(\.signature).joined() }

    /// The message's bytes, little-endian, header fields in code order.
    public func marshal() -> [UInt8] {
        var fields: [DBusValue] = []
        func add(_ f: Field, _ v: DBusValue?) {
            if let v { fields.append(.structure([.byte(f.rawValue), .variant(v)])) }
        }
        add(.path, path.map { .objectPath($0) })
        add(.interface, interface.map { .string($0) })
        add(.member, member.map { .string($0) })
        add(.errorName, errorName.map { .string($0) })
        add(.replySerial, replySerial.map { .uint32($0) })
        add(.destination, destination.map { .string($0) })
        add(.sender, sender.map { .string($0) })
        if !body.isEmpty { add(.signature, .signature(signature)) }

        var b = DBusWriter()
        for v in body { b.write(v) }

        var w = DBusWriter()
        w.write(.byte(UInt8(ascii: "l")))
        w.write(.byte(kind.rawValue))
        w.write(.byte(flags))
        w.write(.byte(1))
        w.write(.uint32(UInt32(b.bytes.count)))
        w.write(.uint32(serial))
        w.write(.array(element: "(yv)", fields))
        w.pad(8)
        return w.bytes + b.bytes
    }

    /// The whole message's length from its first 16 bytes; nil if they are not a D-Bus header.
    public static func length(header: [UInt8]) -> Int? {
        guard header.count >= 16, header[0] == UInt8(ascii: "l") || header[0] == UInt8(ascii: "B") else { return nil }
        var r = DBusReader(header, offset: 4, bigEndian: header[0] == UInt8(ascii: "B"))
        guard let body = try? r.take(UInt32.self), let _ = try? r.take(UInt32.self),
              let fields = try? r.take(UInt32.self) else { return nil }
        let headerEnd = (16 + Int(fields) + 7) / 8 * 8
        return headerEnd + Int(body)
    }

    /// Parses one whole message.
    public init(unmarshal bytes: [UInt8]) throws(DBusDecodeError) {
        guard bytes.count >= 16, bytes[0] == UInt8(ascii: "l") || bytes[0] == UInt8(ascii: "B") else {
            throw DBusDecodeError(description: "not a D-Bus message")
        }
        guard let kind = Kind(rawValue: bytes[1]) else { throw DBusDecodeError(description: "unknown message type \(bytes[1])") }
        guard bytes[3] == 1 else { throw DBusDecodeError(description: "protocol version \(bytes[3])") }
        self.kind = kind
        flags = bytes[2]
        var r = DBusReader(bytes, offset: 4, bigEndian: bytes[0] == UInt8(ascii: "B"))
        let bodyLength = Int(try r.take(UInt32.self))
        serial = try r.take(UInt32.self)
        guard case .array(_, let fields) = try r.read("a(yv)") else { throw DBusDecodeError(description: "bad header") }
        var signature = ""
        for f in fields {
            guard case .structure(let pair) = f, pair.count == 2, case .byte(let code) = pair[0],
                  case .variant(let v) = pair[1] else { continue }
            switch Field(rawValue: code) {
            case .path: path = v.stringValue
            case .interface: interface = v.stringValue
            case .member: member = v.stringValue
            case .errorName: errorName = v.stringValue
            case .replySerial: replySerial = v.uint32Value
            case .destination: destination = v.stringValue
            case .sender: sender = v.stringValue
            case .signature: signature = v.stringValue ?? ""
            default: break  // unknown fields are ignored, as the specification asks
            }
        }
        try r.align(8)
        guard r.offset + bodyLength == bytes.count else { throw DBusDecodeError(description: "body length mismatch") }
        body = try r.readAll(signature)
        guard r.offset == bytes.count else { throw DBusDecodeError(description: "body longer than its signature") }
    }
}
