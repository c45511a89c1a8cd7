/// What a consumer received in a producer/consumer run: how many messages and their sum, so
/// the lab can tell a complete run (every message once) from a lossy or duplicating one.
///
/// The producer sends `0, 1, …, messages - 1` and then ``sentinel``; the consumer counts and
/// sums until the sentinel, so a lost, duplicated or corrupted message changes the tally.
struct ChannelTally: Codable, Sendable, Equatable {
    /// Messages received before the sentinel.
    var count = 0
    /// Their sum (wrapping: a corrupted message must not trap the consumer).
    var sum = 0
    /// Why the consumer stopped early, if it did.
    var error: String?

    /// The message that ends a run (real messages are never negative).
    static let sentinel = -1

    /// The tally of a complete run of `messages` messages.
    static func expected(messages: Int) -> ChannelTally {
        ChannelTally(count: messages, sum: messages &* (messages &- 1) / 2)
    }

    /// The producer's loop: `0..<messages`, then the sentinel.
    static func produce(_ messages: Int, send: (Int) throws -> Void) throws {
        for i in 0..<messages { try send(i) }
        try send(sentinel)
    }

    /// The consumer's loop: receives until the sentinel; an error ends the tally early and is
    /// recorded in it rather than thrown, so the parent always learns what happened.
    static func consume(receive: () throws -> Int) -> ChannelTally {
        var tally = ChannelTally()
        do {
            while case let value = try receive(), value != sentinel {
                tally.count += 1
                tally.sum &+= value
            }
        } catch {
            tally.error = "\(error)"
        }
        return tally
    }

    /// Why this tally is not the one of a complete `messages` run; nil when it is.
    func mismatch(messages: Int) -> String? {
        if let error { return "consumer stopped after \(count) messages: \(error)" }
        let expected = Self.expected(messages: messages)
        if self == expected { return nil }
        return "consumer got \(count) messages summing to \(sum), expected \(expected.count) summing to \(expected.sum)"
    }
}
