/// A string-keyed map that remembers insertion order, for the spec's JSON
/// objects with free-form keys (annotations, sysctl, unified, rdma,
/// netDevices, timeOffsets).
///
/// Order matters to roost even though Go's maps have none: sysctls are
/// written in the order given, and a decoded config re-encodes unchanged.
/// Lookups are linear; these maps hold tens of entries, where a scan of
/// small strings beats hashing. Equality is order-sensitive.
public struct OrderedMap<Value> {
    public private(set) var keys: [String]
    public private(set) var values: [Value]

    public init() {
        keys = []
        values = []
    }

    /// Later duplicates replace earlier values but keep the first position,
    /// which is what decoding a JSON object with repeated keys gives in Go
    /// (last value wins).
    public init(_ pairs: some Sequence<(String, Value)>) {
        self.init()
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// For decoders: later duplicates replace earlier values in place. Small
    /// maps are deduplicated by scanning, large ones through a hash table.
    init(lastWinsKeys keys: [String], values: [Value]) {
        if keys.count <= 8 {
            self.init(zip(keys, values))
            return
        }
        var positions: [String: Int] = [:]
        positions.reserveCapacity(keys.count)
        var uniqueKeys: [String] = []
        var uniqueValues: [Value] = []
        uniqueKeys.reserveCapacity(keys.count)
        uniqueValues.reserveCapacity(keys.count)
        for (key, value) in zip(keys, values) {
            if let i = positions[key] {
                uniqueValues[i] = value
            } else {
                positions[key] = uniqueKeys.count
                uniqueKeys.append(key)
                uniqueValues.append(value)
            }
        }
        self.init()
        self.keys = uniqueKeys
        self.values = uniqueValues
    }

    public subscript(key: String) -> Value? {
        get {
            guard let i = keys.firstIndex(of: key) else { return nil }
            return values[i]
        }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    public func index(forKey key: String) -> Int? {
        keys.firstIndex(of: key)
    }
}

extension OrderedMap: RandomAccessCollection {
    public typealias Element = (key: String, value: Value)
    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }
    public subscript(position: Int) -> Element { (key: keys[position], value: values[position]) }
}

extension OrderedMap: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }
}

extension OrderedMap: Equatable where Value: Equatable {}
extension OrderedMap: Sendable where Value: Sendable {}

extension OrderedMap: CustomStringConvertible {
    public var description: String {
        "[" + map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }
}
