/// One measured number, printed as a JSON line (`{"metric": …, "value": …, "unit": …}`,
/// DESIGN.md decision 12) or as a table row.
struct BenchMetric: Sendable {
    let name: String
    let value: Double
    let unit: String
    /// What was measured, for the table and as an extra JSON key.
    let note: String
    /// For a Swift-native peer (a toolchain primitive measured beside ours): the metrics of
    /// ours it is the peer of, reported earlier in the same area. Empty for our own rows.
    var peerOf: [String] = []
    /// For a peer: ours / peer for each metric of ``peerOf``, filled in when it is reported.
    var oursOverPeer: [(metric: String, ratio: Double)] = []

    var jsonLine: String {
        var fields = [#""metric": "\#(name)""#, #""value": \#(number(value))"#, #""unit": "\#(unit)""#, #""note": "\#(note)""#]
        if !peerOf.isEmpty {
            fields.append(#""peer_of": [\#(peerOf.map { #""\#($0)""# }.joined(separator: ", "))]"#)
            fields.append(#""ours_over_peer": {\#(oursOverPeer.map { #""\#($0.metric)": \#(number($0.ratio))"# }.joined(separator: ", "))}"#)
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The table's last column: the note, and for a peer the ratios.
    var tableNote: String {
        guard !oursOverPeer.isEmpty else { return note }
        let faster = unit.hasSuffix("/s") ? ">1" : "<1"
        return note + " [ours/peer: " + oursOverPeer.map { "\($0.metric) \(format($0.ratio, decimals: 2))" }.joined(separator: ", ")
            + "; \(faster): ours faster]"
    }

    private func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
}

/// A group of metrics that `bench --only AREA` selects.
struct BenchArea: Sendable {
    let name: String
    let run: @Sendable (_ report: (BenchMetric) -> Void) -> Void
}
