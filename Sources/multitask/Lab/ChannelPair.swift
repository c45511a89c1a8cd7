/// Runs one producer and one consumer over a channel and times them, as Python's
/// producer/consumer example does: the channel is made by the caller (the parent), the
/// consumer is started first, then the producer; the run ends when the consumer's tally
/// arrives.
///
/// Every wait is bounded: a run that loses messages, hangs or crashes is reported as a
/// ``ChannelFailure``, never as a number.
enum ChannelPair {
    /// Runs `producer` and `consumer` (not started yet) and returns the seconds from starting
    /// them to the consumer's tally, start-up included.
    ///
    /// - Parameters:
    ///   - afterStart: runs in the parent once both are started (closes its pipe ends).
    ///   - shutdown: wakes workers blocked on the channel when the run is given up.
    ///   - collect: waits at most the given time for the consumer's tally.
    static func run(messages: Int, producer: some ChannelWorker, consumer: some ChannelWorker,
                    afterStart: () -> Void = {}, shutdown: () -> Void = {},
                    collect: (Duration) -> ChannelTally?) throws(ChannelFailure) -> Double {
        let start = ContinuousClock.now
        do {
            try consumer.begin()
            try producer.begin()
        } catch {
            giveUp(producer, consumer, shutdown: shutdown)
            throw ChannelFailure("cannot start the \(consumer.name) and \(producer.name): \(error)")
        }
        afterStart()
        let limit = timeLimit(messages: messages)
        let tally = waitForTally(within: limit, collect: collect, unless: [producer, consumer])
        let seconds = (ContinuousClock.now - start).seconds
        if tally == nil { giveUp(producer, consumer, shutdown: shutdown) }
        let problems = [producer.finish(within: .seconds(10)), consumer.finish(within: .seconds(10))].compactMap { $0 }
        guard let tally else {
            throw ChannelFailure((problems.isEmpty ? ["no tally from the \(consumer.name) within \(limit)"] : problems).joined(separator: "; "))
        }
        let wrong = [tally.mismatch(messages: messages)].compactMap { $0 } + problems
        if !wrong.isEmpty { throw ChannelFailure(wrong.joined(separator: "; ")) }
        return seconds
    }

    /// Generous: 10 s plus 10 µs a message (the slowest channel here moves ~1 µs a message).
    static func timeLimit(messages: Int) -> Duration {
        .seconds(10) + .microseconds(10) * messages
    }

    /// Waits for the tally in short slices, so a worker that crashed ends the wait at once
    /// instead of after `limit` (a crashed producer leaves the consumer waiting forever).
    private static func waitForTally(within limit: Duration, collect: (Duration) -> ChannelTally?,
                                     unless workers: [any ChannelWorker]) -> ChannelTally? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let tally = collect(.milliseconds(100)) { return tally }
            if workers.contains(where: { $0.crash != nil }) { return nil }
        }
        return nil
    }

    private static func giveUp(_ producer: some ChannelWorker, _ consumer: some ChannelWorker, shutdown: () -> Void) {
        shutdown()
        producer.abandon()
        consumer.abandon()
    }
}

/// Why a producer/consumer run has no number: what went wrong, in one line.
struct ChannelFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
