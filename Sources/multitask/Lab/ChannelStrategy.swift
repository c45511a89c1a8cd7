import Multitask

/// A way to move `messages` `Int`s from a producer to a consumer, timed by the lab: the
/// rows of the producer/consumer section.
struct ChannelStrategy: Sendable {
    let kind: ChannelRow.Kind
    let name: String
    /// Runs one complete, checked transfer and returns its wall time in seconds.
    let run: @Sendable (_ messages: Int) throws -> Double

    /// Two threads and a ``ThreadQueue`` (Python's `queue.Queue` between threads).
    static let threadQueue = ChannelStrategy(kind: .threads, name: "threads + ThreadQueue") { messages in
        let queue = ThreadQueue<Int>(), tallies = ThreadQueue<ChannelTally>()
        let consumer = Thread(name: "consumer", daemon: true) {
            try tallies.put(ChannelTally.consume { try queue.get() })
        }
        let producer = Thread(name: "producer", daemon: true) {
            try ChannelTally.produce(messages) { try queue.put($0) }
        }
        return try ChannelPair.run(messages: messages, producer: producer, consumer: consumer,
                                   shutdown: { queue.shutdown(immediate: true) },
                                   collect: { try? tallies.get(timeout: $0) })
    }

    /// Two fork children and a shared-memory ``Queue`` made by the parent (Python's
    /// `multiprocessing.Queue` example).
    static let processQueue = ChannelStrategy(kind: .processQueue, name: "processes + Queue") { messages in
        let queue = try Queue<Int>(), tallies = try Queue<ChannelTally>()
        // Both paths run once in the parent, so the children run no code for the first time.
        try queue.put(0)
        _ = try queue.get()
        let consumer = Process(name: "consumer") {
            try tallies.put(ChannelTally.consume { try queue.get() })
        }
        let producer = Process(name: "producer") {
            try ChannelTally.produce(messages) { try queue.put($0) }
        }
        return try ChannelPair.run(messages: messages, producer: producer, consumer: consumer,
                                   collect: { try? tallies.get(timeout: $0) })
    }

    /// Two fork children and a one-way ``Pipe(duplex:)``: one socket write and read a message.
    static let processPipe = ChannelStrategy(kind: .processPipe, name: "processes + Pipe") { messages in
        let (reader, writer) = try Pipe(duplex: false)
        let tallies = try Queue<ChannelTally>()
        try writer.send(0)
        _ = try reader.receive(Int.self)
        // Each child closes the end it does not use and the parent closes both, so the
        // consumer sees the end of the stream if the producer dies.
        let consumer = Process(name: "consumer") {
            writer.close()
            try tallies.put(ChannelTally.consume { try reader.receive(Int.self) })
        }
        let producer = Process(name: "producer") {
            reader.close()
            try ChannelTally.produce(messages) { try writer.send($0) }
        }
        return try ChannelPair.run(messages: messages, producer: producer, consumer: consumer,
                                   afterStart: { reader.close(); writer.close() },
                                   collect: { try? tallies.get(timeout: $0) })
    }

    static let all: [ChannelStrategy] = [.threadQueue, .processQueue, .processPipe]
}
