import MultitaskBenchmarks

/// Rows measured together, round by round (``Interleaved``): ours and the Swift-native peers
/// of the same workload, so that each ratio compares figures taken under the same conditions.
struct PeerGroup {
    /// One row of the group: a metric of ours (`peerOf` empty) or a peer of the earlier rows named in `peerOf`.
    struct Row {
        let metric: String
        let unit: String
        let note: String
        var peerOf: [String] = []
        let rounds: Int
        let sample: () -> Double
    }

    let rows: [Row]
    /// For throughput rows of equal work per sample: pool the samples over at least this
    /// long (``Interleaved/pooledRates(window:minimumRounds:_:)``, each row's `rounds` the
    /// least it takes) instead of taking their median.
    var pooledOver: Duration? = nil

    /// Measures the rows interleaved and reports each figure, a peer's with ours / peer.
    func run(_ report: (BenchMetric) -> Void) {
        let figures = if let pooledOver {
            Interleaved.pooledRates(window: pooledOver, minimumRounds: rows.map(\.rounds).max() ?? 1, rows.map(\.sample))
        } else {
            Interleaved.medians(rows.map { Interleaved.Contestant(rounds: $0.rounds, $0.sample) })
        }
        var ours: [String: Double] = [:]
        for (row, value) in zip(rows, figures) {
            var metric = BenchMetric(name: row.metric, value: value, unit: row.unit, note: row.note, peerOf: row.peerOf)
            metric.oursOverPeer = row.peerOf.compactMap { name in ours[name].map { (name, $0 / value) } }
            if row.peerOf.isEmpty { ours[row.metric] = value }
            report(metric)
        }
    }
}
