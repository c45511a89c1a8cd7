/// One measured number, printed as a JSON line (`{"metric": …, "value": …, "unit": …}`,
/// DESIGN.md decision 12) or as a table row.
struct BenchMetric: Sendable {
    let name: String
    let value: Double
    let unit: String
    /// What was measured, for the table and as an extra JSON key.
    let note: String

    var jsonLine: String {
        let number = value.isFinite ? "\(value)" : "null"
        return #"{"metric": "\#(name)", "value": \#(number), "unit": "\#(unit)", "note": "\#(note)"}"#
    }
}

/// A group of metrics that `bench --only AREA` selects.
struct BenchArea: Sendable {
    let name: String
    let run: @Sendable (_ report: (BenchMetric) -> Void) -> Void
}
