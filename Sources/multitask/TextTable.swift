/// A plain-text table whose columns are as wide as their widest cell, plus two spaces, so no
/// value runs into the next column whatever the rows hold. The last column (free text, such
/// as a reading) is not padded.
struct TextTable {
    let headers: [String]
    /// Each row has one cell per header; an empty row prints as a blank line.
    var rows: [[String]] = []

    init(headers: [String]) {
        self.headers = headers
    }

    /// The header, a rule under it, then the rows, each line ending in a newline.
    func rendered() -> String {
        let widths = headers.indices.dropLast().map { column in
            ([headers] + rows).reduce(0) { widest, row in column < row.count ? max(widest, row[column].count) : widest } + 2
        }
        func line(_ cells: [String]) -> String {
            guard !cells.isEmpty else { return "" }
            return zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined() + (cells.last ?? "")
        }
        let header = line(headers)
        let rule = String(repeating: "─", count: header.count + 40)
        return ([header, rule] + rows.map(line)).map { $0 + "\n" }.joined()
    }
}
