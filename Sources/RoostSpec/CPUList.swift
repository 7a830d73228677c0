/// A Linux list of CPU or NUMA node numbers such as "0-3,7" (cpuset format),
/// as used by `execCPUAffinity` and `memoryPolicy.nodes`.
///
/// Matches runc's parser: elements are trimmed of spaces, empty elements
/// (extra commas) are skipped, numbers are decimal without sign, and numbers
/// above `maxID` are refused so a typo cannot allocate a huge mask.
public struct CPUList: Sendable, Equatable {
    public var ranges: [ClosedRange<Int>]

    public static let maxID = 64 * 1024

    public init(ranges: [ClosedRange<Int>]) {
        self.ranges = ranges
    }

    /// Throws for "" too (no members); callers treat an empty field as unset.
    public init(parsing text: String) throws(CPUListError) {
        var ranges: [ClosedRange<Int>] = []
        for element in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = element.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
                .reversed().drop { $0 == " " || $0 == "\t" || $0 == "\n" }.reversed()
            let item = String(trimmed)
            if item.isEmpty { continue }
            let parts = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            let start = try CPUList.number(parts[0], in: item)
            let end = parts.count == 2 ? try CPUList.number(parts[1], in: item) : start
            guard start <= end else { throw CPUListError(message: "invalid range \(quoted(item))") }
            ranges.append(start...end)
        }
        if ranges.isEmpty {
            throw CPUListError(message: "no members found in set \(quoted(text))")
        }
        self.ranges = ranges
    }

    /// How many distinct numbers the list names.
    public var count: Int {
        var seen = Set<Int>()
        for range in ranges { seen.formUnion(range) }
        return seen.count
    }

    public func contains(_ n: Int) -> Bool {
        ranges.contains { $0.contains(n) }
    }

    private static func number(_ text: Substring, in item: String) throws(CPUListError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt32(text) else {
            throw CPUListError(message: "invalid number \(quoted(String(text))) in \(quoted(item))")
        }
        guard n <= maxID else {
            throw CPUListError(message: "values larger than \(maxID) are not supported")
        }
        return Int(n)
    }
}

public struct CPUListError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
