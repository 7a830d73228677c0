/// Columns laid out as Go's text/tabwriter does for runc's `list` (minwidth 12, padding 3): each
/// column but the last is as wide as its widest cell plus the padding, at least the minimum.
enum Table {
    static func render(_ rows: [[String]], minWidth: Int, padding: Int) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() where i < columns - 1 {
                widths[i] = max(widths[i], max(minWidth, cell.count + padding))
            }
        }
        var out = ""
        for row in rows {
            for (i, cell) in row.enumerated() {
                out += cell
                if i < row.count - 1 { out += String(repeating: " ", count: widths[i] - cell.count) }
            }
            out += "\n"
        }
        return out
    }
}
