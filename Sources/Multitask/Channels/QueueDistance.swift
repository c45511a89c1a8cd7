import Synchronization

/// A consumer keeping its distance from a streaming producer.
///
/// A consumer that reads right behind the producer makes both slow: every record it reads
/// sits on a cache line the producer is still writing, and every time it looks at the tail it
/// takes the tail's line away from the producer, so each message moves several cache lines
/// back and forth between the two CPUs (measured: 4-6 M `Int` messages/s, against 13-25 M
/// when the consumer reads a few cache lines behind). A get that finds the producer only a
/// few records ahead, on the same cache lines, therefore first holds back while the tail
/// keeps moving — at most ``distanceChecks`` short pauses, and only while the producer is
/// still publishing — and reads once the producer is ``keptDistance`` bytes ahead.
///
/// A message is never held back for a producer that stopped: the wait ends at the first
/// check that sees the tail unchanged. Nor after a get waited for the queue to fill: a
/// message put into an empty queue is taken at once.
extension QueueStorage {
    /// What a consumer finds after the head.
    enum Arrivals {
        /// No message.
        case none
        /// At least one message to read now.
        case ready
        /// Messages, but the producer is still writing right after them, at `tail`.
        case closeBehindProducer(tail: Cursor)
    }

    /// Bytes of records the producer should be ahead before a streaming consumer reads.
    static let keptDistance = 512
    /// Checks of the tail (``pausesPerCheck`` pauses apart) a consumer holds back at most.
    static let distanceChecks = 16
    static let pausesPerCheck = 4

    /// What follows `head`. Reads the tail only when the messages seen at the last look (by
    /// any consumer) are used up, and then remembers what it saw — unless the consumer is to
    /// hold back (`mayHoldBack`, see the type's documentation).
    ///
    /// The remembered count is a tail some consumer saw, so a message lies at `head` whenever
    /// that count is ahead of it (counts wrap; a queue holds far fewer than 2^31 messages).
    /// Consumers store it without a lock, an older look possibly after a newer one: it is
    /// then behind, never ahead of the tail.
    @inline(__always)
    func arrivals(after head: Cursor, mayHoldBack: Bool) -> Arrivals {
        if Int32(bitPattern: cachedTailCount.pointee.load(ordering: .acquiring) &- head.count) > 0 { return .ready }
        let tailNow = Cursor(tail.pointee.load(ordering: .acquiring))
        if tailNow.count == head.count { return .none }
        if mayHoldBack && isClose(head.position, behind: tailNow.position) { return .closeBehindProducer(tail: tailNow) }
        cachedTailCount.pointee.store(tailNow.count, ordering: .releasing)
        return .ready
    }

    /// The tail count consumers last saw (``arrivals(after:mayHoldBack:)``).
    @inline(__always)
    var cachedTailCount: UnsafeMutablePointer<Atomic<UInt32>> {
        (base + Offset.cachedTailCount).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    /// Whether `head` lies less than ``keptDistance`` bytes before `tail`, in the same block
    /// (positions are only compared here, so unchecked ones are harmless).
    @inline(__always)
    func isClose(_ head: Position, behind tail: Position) -> Bool {
        head.block == tail.block && head.offset <= tail.offset && tail.offset - head.offset < Self.keptDistance
    }

    /// Waits while the producer keeps publishing right after
    /// `head`: until it is ``keptDistance`` bytes ahead, stops publishing, or
    /// ``distanceChecks`` checks passed.
    @inline(never)
    func holdBack(at head: Position, producerAt tail: Cursor) {
        var last = tail.raw
        for _ in 0..<Self.distanceChecks {
            for _ in 0..<Self.pausesPerCheck { CPU.relax() }
            let now = Cursor(self.tail.pointee.load(ordering: .relaxed))
            if now.raw == last || !isClose(head, behind: now.position) { return }
            last = now.raw
        }
    }
}
