/// A resource the host would not take: the JSON path in config.json and why.
public struct CgroupError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "config.json: \(path): \(problem)" }
}
