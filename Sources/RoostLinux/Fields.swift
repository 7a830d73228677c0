extension StringProtocol {
    /// The pieces between ASCII separators, found byte by byte. `split(separator: Character)`
    /// breaks graphemes over every byte, which made parsing mountinfo the costliest part of `run`;
    /// the kernel's files and ours are split on ASCII only.
    public func fields(_ separator: Unicode.Scalar, omittingEmpty: Bool = true) -> [Substring] {
        let s = Substring(self)
        let byte = UInt8(ascii: separator)
        var out: [Substring] = []
        var start = s.utf8.startIndex
        var i = start
        while i != s.utf8.endIndex {
            if s.utf8[i] == byte {
                if !omittingEmpty || start != i { out.append(s[start..<i]) }
                start = s.utf8.index(after: i)
            }
            i = s.utf8.index(after: i)
        }
        if !omittingEmpty || start != s.utf8.endIndex { out.append(s[start...]) }
        return out
    }
}
