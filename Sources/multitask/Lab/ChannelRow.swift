/// One row of the lab's producer/consumer section: `messages` `Int`s moved by one strategy.
struct ChannelRow: Sendable {
    /// What carries the messages; a CPython row is compared with ours of the same kind.
    enum Kind: String, Sendable, CaseIterable {
        case threads = "threads + queue"
        case processQueue = "processes + queue"
        case processPipe = "processes + pipe"
    }

    let kind: Kind
    let strategy: String
    let messages: Int
    /// Wall seconds, or nil when the run failed.
    let seconds: Double?
    /// Why the run has no number.
    let failure: String?
    /// Our rate over CPython's for the same kind, when both ran.
    var versusPython: Double?
    var reading = ""

    init(kind: Kind, strategy: String, messages: Int, seconds: Double?, failure: String? = nil) {
        self.kind = kind
        self.strategy = strategy
        self.messages = messages
        self.seconds = seconds
        self.failure = failure
    }

    var isPython: Bool { strategy.hasPrefix("py ") }

    /// Messages per second, or nil when the run failed.
    var rate: Double? { seconds.map { Double(messages) / max($0, 1e-9) } }
}
