/// A resource the host would not take: the JSON path in config.json and why.
public struct CgroupError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "config.json: \(path): \(problem)" }
}
