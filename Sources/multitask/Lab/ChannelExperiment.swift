/// The producer/consumer example of Python's multiprocessing, measured: the same number of small `Int` messages from a producer to a
/// consumer through each channel, with a reading per row.
struct ChannelExperiment {
    let messages: Int
    var strategies = ChannelStrategy.all

    /// Runs every strategy once; a failed run becomes a row with its reason, not a number.
    func run(progress: (_ done: Int, _ total: Int, _ label: String) -> Void) -> [ChannelRow] {
        let rows = strategies.enumerated().map { index, strategy in
            progress(index, strategies.count, "producer/consumer · \(strategy.name) · \(messages) messages")
            do {
                let seconds = try strategy.run(messages)
                return ChannelRow(kind: strategy.kind, strategy: strategy.name, messages: messages, seconds: seconds)
            } catch {
                return ChannelRow(kind: strategy.kind, strategy: strategy.name, messages: messages, seconds: nil, failure: "\(error)")
            }
        }
        return Self.read(rows)
    }

    /// Fills in the ratios to CPython (rate over rate, per kind) and the readings.
    static func read(_ rows: [ChannelRow]) -> [ChannelRow] {
        rows.map { row in
            var row = row
            if !row.isPython, let ours = row.rate,
               let theirs = rows.first(where: { $0.isPython && $0.kind == row.kind })?.rate {
                row.versusPython = ours / theirs
            }
            row.reading = reading(row)
            return row
        }
    }

    static func reading(_ row: ChannelRow) -> String {
        if let failure = row.failure { return "FAILED: \(failure)" }
        switch (row.kind, row.isPython) {
        case (.threads, false):
            return "one address space: a put is a lock, an append and at most one wake-up"
        case (.processQueue, false):
            return "a ring in memory both processes map: a put is a copy, no system call unless the consumer sleeps"
        case (.processPipe, false):
            return "every message is a write() and a read() system call, as in CPython's Pipe: the kernel sets the pace"
        case (.threads, true):
            return "queue.Queue: a deque behind a Condition, every put and get is bytecode under the GIL"
        case (.processQueue, true):
            return "mp.Queue: each item is pickled and written to a pipe by a feeder thread"
        case (.processPipe, true):
            return "mp.Pipe: a pickle and a system call per message"
        }
    }
}
