/// The namespace kinds of the spec; the raw values are the JSON strings.
public enum NamespaceType: String, Sendable, Equatable, Hashable, CaseIterable {
    case pid
    case network
    case mount
    case ipc
    case uts
    case user
    case cgroup
    case time
}

extension NamespaceType: JSONRepresentable {
    public var jsonValue: JSONValue { .string(rawValue) }
}
