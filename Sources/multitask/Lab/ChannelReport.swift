/// Renders the lab's producer/consumer section as text or as JSON values.
enum ChannelReport {
    /// The section's title, printed before the demonstration runs.
    static let header = "\nProducer/consumer (Python's multiprocessing.Queue example): a queue created in the parent, a producer process, a consumer process.\n"

    /// The measured rows: what was measured, then one line per strategy.
    static func table(_ rows: [ChannelRow], messages: Int, demoFailure: String?) -> String {
        var out = demoFailure.map { "demo FAILED: \($0)\n" } ?? ""
        out += "\nThe same \(messages) small Ints from one producer to one consumer, checked by count and sum"
        out += rows.first(where: \.isPython).map { " (CPython: \($0.messages), rates compared)" } ?? ""
        out += ";\nwall time runs from starting both workers to the consumer's tally (start-up included):\n\n"
        let compared = rows.contains { $0.versusPython != nil }
        var table = TextTable(headers: ["strategy", "messages", "wall s", "messages/s"] + (compared ? ["×CPython"] : []) + ["reading"])
        let ordered = ChannelRow.Kind.allCases.flatMap { kind in rows.filter { $0.kind == kind } }
        for row in ordered {
            let seconds: String = row.seconds.map { format($0) } ?? "—"
            let rate: String = row.rate.map { format($0 / 1e6, decimals: 2) + " M" } ?? "—"
            var cells = [row.strategy, "\(row.messages)", seconds, rate]
            if compared { cells.append(row.versusPython.map { format($0, decimals: 1) + "×" } ?? "") }
            cells.append(row.reading)
            table.rows.append(cells)
        }
        return out + table.rendered()
    }

    /// The rows as JSON objects, one a line (the `producerConsumer` key of `lab --json`).
    static func json(_ rows: [ChannelRow]) -> [String] {
        rows.map { row in
            var members: [(String, String)] = [
                ("kind", JSONValue.quoted(row.kind.rawValue)),
                ("strategy", JSONValue.quoted(row.strategy)),
                ("messages", "\(row.messages)"),
                ("seconds", row.seconds.map { "\($0)" } ?? "null"),
                ("messagesPerSecond", row.rate.map { "\($0)" } ?? "null"),
            ]
            if let ratio = row.versusPython { members.append(("versusCPython", "\(ratio)")) }
            if let failure = row.failure { members.append(("failure", JSONValue.quoted(failure))) }
            members.append(("reading", JSONValue.quoted(row.reading)))
            return "{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
    }
}
