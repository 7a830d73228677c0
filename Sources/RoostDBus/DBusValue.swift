/// A D-Bus value with its type, as the specification's wire format marshals it. Only what the
/// systemd driver needs: no unix fds, no int16/uint16 (they decode, as their 32-bit kin do not).
public indirect enum DBusValue: Equatable, Sendable {
    case byte(UInt8)
    case bool(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    case variant(DBusValue)
    /// Elements all of the type `element` (a single complete type's signature), so an empty
    /// array still knows its signature.
    case array(element: String, [DBusValue])
    case structure([DBusValue])
    case dictEntry(DBusValue, DBusValue)

    /// This value's single complete type.
    public var signature: String {
        switch self {
        case .byte: return "y"
        case .bool: return "b"
        case .int16: return "n"
        case .uint16: return "q"
        case .int32: return "i"
        case .uint32: return "u"
        case .int64: return "x"
        case .uint64: return "t"
        case .double: return "d"
        case .string: return "s"
        case .objectPath: return "o"
        case .signature: return "g"
        case .variant: return "v"
        case .array(let e, _): return "a" + e
        case .structure(let fields): return "(" + fields.map(\.signature).joined() + ")"
        case .dictEntry(let k, let v): return "{" + k.signature + v.signature + "}"
        }
    }

    /// An `a(sv)` of systemd's unit properties, in order.
    public static func properties(_ props: [(String, DBusValue)]) -> DBusValue {
        .array(element: "(sv)", props.map { .structure([.string($0.0), .variant($0.1)]) })
    }

    public var stringValue: String? {
        switch self {
        case .string(let s), .objectPath(let s), .signature(let s): return s
        case .variant(let v): return v.stringValue
        default: return nil
        }
    }

    public var uint32Value: UInt32? {
        switch self {
        case .uint32(let v): return v
        case .variant(let v): return v.uint32Value
        default: return nil
        }
    }
}

/// The alignment the specification gives each type's first byte, from the message's start.
func alignment(of code: UInt8) -> Int {
    switch code {
    case UInt8(ascii: "y"), UInt8(ascii: "g"), UInt8(ascii: "v"): return 1
    case UInt8(ascii: "n"), UInt8(ascii: "q"): return 2
    case UInt8(ascii: "x"), UInt8(ascii: "t"), UInt8(ascii: "d"), UInt8(ascii: "("), UInt8(ascii: "{"): return 8
    default: return 4  // b i u s o a h
    }
}

/// Little-endian marshalling into `bytes`, whose index 0 is the message's first byte (a body
/// starts 8-aligned, so a body marshalled on its own aligns the same).
public struct DBusWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    mutating func pad(_ n: Int) {
        while bytes.count % n != 0 { bytes.append(0) }
    }

    mutating func put<T: FixedWidthInteger>(_ v: T) {
        pad(MemoryLayout<T>.size)
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: DBusValue) {
        switch value {
        case .byte(let v): bytes.append(v)
        case .bool(let v): put(UInt32(v ? 1 : 0))
        case .int16(let v): put(v)
        case .uint16(let v): put(v)
        case .int32(let v): put(v)
        case .uint32(let v): put(v)
        case .int64(let v): put(v)
        case .uint64(let v): put(v)
        case .double(let v): put(v.bitPattern)
        case .string(let s), .objectPath(let s):
            let utf8 = Array(s.utf8)
            put(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
            bytes.append(0)
        case .signature(let s):
            let utf8 = Array(s.utf8)
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
            bytes.append(0)
        case .variant(let v):
            write(.signature(v.signature))
            write(v)
        case .array(let element, let items):
            put(UInt32(0))
            let lengthAt = bytes.count - 4
            // The padding to the first element's alignment is there even when the array is
            // empty, and is not counted in the length.
            pad(alignment(of: element.utf8.first ?? 0))
            let start = bytes.count
            for item in items { write(item) }
            let length = UInt32(bytes.count - start).littleEndian
            withUnsafeBytes(of: length) { for i in 0..<4 { bytes[lengthAt + i] = $0[i] } }
        case .structure(let fields):
            pad(8)
            for f in fields { write(f) }
        case .dictEntry(let k, let v):
            pad(8)
            write(k)
            write(v)
        }
    }
}

public struct DBusDecodeError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Unmarshalling from a whole message's bytes (offsets count from its start), in either byte
/// order.
public struct DBusReader {
    let bytes: [UInt8]
    public var offset: Int
    let bigEndian: Bool

    public init(_ bytes: [UInt8], offset: Int = 0, bigEndian: Bool = false) {
        self.bytes = bytes
        self.offset = offset
        self.bigEndian = bigEndian
    }

    mutating func align(_ n: Int) throws(DBusDecodeError) {
        let to = (offset + n - 1) / n * n
        guard to <= bytes.count else { throw DBusDecodeError(description: "truncated message") }
        offset = to
    }

    mutating func take<T: FixedWidthInteger>(_: T.Type) throws(DBusDecodeError) -> T {
        let size = MemoryLayout<T>.size
        try align(size)
        guard offset + size <= bytes.count else { throw DBusDecodeError(description: "truncated message") }
        var v: T = 0
        for i in 0..<size { v |= T(truncatingIfNeeded: bytes[offset + (bigEndian ? size - 1 - i : i)]) << (8 * i) }
        offset += size
        return v
    }

    mutating func text(length: Int) throws(DBusDecodeError) -> String {
        guard length >= 0, offset + length < bytes.count, bytes[offset + length] == 0 else {
            throw DBusDecodeError(description: "bad string")
        }
        let s = String(decoding: bytes[offset..<offset + length], as: UTF8.self)
        offset += length + 1
        return s
    }

    /// Reads one value of the single complete type `signature`.
    public mutating func read(_ signature: String) throws(DBusDecodeError) -> DBusValue {
        var sig = Substring(signature)
        let v = try read(&sig)
        guard sig.isEmpty else { throw DBusDecodeError(description: "not a single complete type: \(signature)") }
        return v
    }

    /// Reads the values of a body's signature (a sequence of complete types).
    public mutating func readAll(_ signature: String) throws(DBusDecodeError) -> [DBusValue] {
        var sig = Substring(signature)
        var values: [DBusValue] = []
        while !sig.isEmpty { values.append(try read(&sig)) }
        return values
    }

    mutating func read(_ sig: inout Substring) throws(DBusDecodeError) -> DBusValue {
        guard let code = sig.first else { throw DBusDecodeError(description: "empty signature") }
        sig = sig.dropFirst()
        switch code {
        case "y":
            guard offset < bytes.count else { throw DBusDecodeError(description: "truncated message") }
            offset += 1
            return .byte(bytes[offset - 1])
        case "b": return .bool(try take(UInt32.self) != 0)
        case "n": return .int16(try take(Int16.self))
        case "q": return .uint16(try take(UInt16.self))
        case "i": return .int32(try take(Int32.self))
        case "u", "h": return .uint32(try take(UInt32.self))
        case "x": return .int64(try take(Int64.self))
        case "t": return .uint64(try take(UInt64.self))
        case "d": return .double(Double(bitPattern: try take(UInt64.self)))
        case "s": return .string(try text(length: Int(try take(UInt32.self))))
        case "o": return .objectPath(try text(length: Int(try take(UInt32.self))))
        case "g":
            guard offset < bytes.count else { throw DBusDecodeError(description: "truncated message") }
            let n = Int(bytes[offset])
            offset += 1
            return .signature(try text(length: n))
        case "v":
            var g: Substring = "g"
            guard case .signature(let inner) = try read(&g) else { throw DBusDecodeError(description: "bad variant") }
            return .variant(try read(inner))
        case "a":
            let element = try Self.completeType(&sig)
            let length = Int(try take(UInt32.self))
            try align(alignment(of: element.utf8.first ?? 0))
            let end = offset + length
            guard end <= bytes.count else { throw DBusDecodeError(description: "truncated array") }
            var items: [DBusValue] = []
            while offset < end { items.append(try read(element)) }
            return .array(element: element, items)
        case "(":
            try align(8)
            var fields: [DBusValue] = []
            while sig.first != ")" {
                guard !sig.isEmpty else { throw DBusDecodeError(description: "unterminated struct") }
                fields.append(try read(&sig))
            }
            sig = sig.dropFirst()
            return .structure(fields)
        case "{":
            try align(8)
            let k = try read(&sig)
            let v = try read(&sig)
            guard sig.first == "}" else { throw DBusDecodeError(description: "bad dict entry") }
            sig = sig.dropFirst()
            return .dictEntry(k, v)
        default:
            throw DBusDecodeError(description: "unknown type code \(code)")
        }
    }

    /// Splits the first single complete type off `sig`.
    static func completeType(_ sig: inout Substring) throws(DBusDecodeError) -> String {
        var depth = 0
        var end = sig.startIndex
        repeat {
            guard end < sig.endIndex else { throw DBusDecodeError(description: "bad signature") }
            let c = sig[end]
            if c == "(" || c == "{" { depth += 1 }
            if c == ")" || c == "}" { depth -= 1 }
            end = sig.index(after: end)
        } while depth > 0 || sig[sig.index(before: end)] == "a"
        let t = String(sig[..<end])
        sig = sig[end...]
        return t
    }
}
