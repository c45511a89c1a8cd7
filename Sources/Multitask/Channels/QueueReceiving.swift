/// The consumers' side of ``QueueStorage``: `take`, which claims the message at the head with
/// one compare-and-exchange of the head word (no lock), and the entries over it — any message
/// through a closure, and the word-sized path, where an `Int`, a `Double` or another 8-byte
/// value the raw-bytes rule admits comes back as one 64-bit word. (Its put is already two
/// stores, in `QueueRecords`.) The word path reads the record with the read inlined instead of
/// calling the caller's closure through a context for every message: the consumer is the
/// slower side of a streaming pair, so what it saves is throughput.
///
/// A consumer reads the record at the head it loaded before it owns it: another consumer may
/// claim the message first, and the producer may then reuse the block, so the bytes read may
/// be stale or changing. Its claim then fails (the head moved) and it starts over; what it
/// read is never delivered. A `pure` read — one that only copies the bytes into a value,
/// every bit pattern allowed, with no effect outside it — runs on the record in place before
/// the claim; any other read gets a private copy after it, so it runs exactly once, on the
/// claimed message.
extension QueueStorage {
    /// Removes the oldest message and passes its bytes (valid only during the call) to
    /// `read`; see ``take(timeout:blocking:pure:_:)``. Not generic, so that the generic layer
    /// above stays thin whether or not it is specialized.
    @usableFromInline
    func get(timeout: Duration?, blocking: Bool, pure: Bool, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) {
        try take(timeout: timeout, blocking: blocking, pure: pure, read)
    }

    /// Removes the oldest message like ``get(timeout:blocking:pure:_:)`` and returns its
    /// length and, when that is 8 bytes, its bytes as a word (else 0). The message is consumed
    /// either way; the caller reports a wrong length.
    @usableFromInline
    func getWord(timeout: Duration?, blocking: Bool) throws(QueueError) -> (word: UInt64, count: Int) {
        var word: UInt64 = 0
        var count = 0
        try take(timeout: timeout, blocking: blocking, pure: true) { (bytes) throws(QueueError) in
            count = bytes.count
            word = count == MemoryLayout<UInt64>.size ? bytes.loadUnaligned(as: UInt64.self) : 0
        }
        return (word, count)
    }

    /// Removes the oldest message and passes its bytes (valid only during the call) to
    /// `read`. The message is consumed even when `read` throws, and the error rethrown. A
    /// `pure` read may run more than once (see the type's documentation); the last run is the
    /// claimed message's.
    ///
    /// When `blocking`, waits at most `timeout` (nil: forever) while the queue is empty and
    /// throws `.empty` then (at once when not `blocking`); throws `.closed` (or `.shutDown`)
    /// once the queue is closed (or shut down) and empty. Inlined into the two entries above,
    /// so that a closure literal of theirs is inlined too.
    @inline(__always)
    func take(timeout: Duration?, blocking: Bool, pure: Bool, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) {
        let deadline = Self.deadline(timeout: timeout, blocking: blocking)
        var mayHoldBack = blocking
        while true {
            guard passConsumerGate(until: deadline) else { throw .empty }
            let headNow = Cursor(head.pointee.load(ordering: .acquiring))
            switch arrivals(after: headNow, mayHoldBack: mayHoldBack) {
            case .ready:
                if try claim(at: headNow, pure: pure, read) {
                    if maxSize > 0 { notFull.signal() }
                    return
                }
            case .closeBehindProducer(let tailNow):
                holdBack(at: headNow.position, producerAt: tailNow)
                mayHoldBack = false
            case .none:
                if let error = endError, count == 0 { throw error }
                guard blocking else { throw .empty }
                try waitForMessage(after: headNow.count, until: deadline)
                mayHoldBack = false
            }
        }
    }

    /// Whether consumers may go on: at once while the consumer lock word is free; else once
    /// its holder let go (or died), `false` if `deadline` passed first.
    @inline(__always)
    func passConsumerGate(until deadline: Deadline?) -> Bool {
        if _fastPath(consumerLock.word.loadRelaxed() == 0) { return true }
        return waitAtConsumerGate(until: deadline)
    }

    @inline(never)
    func waitAtConsumerGate(until deadline: Deadline?) -> Bool {
        guard consumerLock.acquire(until: deadline) != .timedOut else { return false }
        _ = consumerLock.unlock()
        return true
    }

    /// Reads the message at `headNow` and claims it by moving the head past it; `false` if
    /// another consumer moved the head first (nothing was delivered, or a pure read's result
    /// is to be dropped). Throws ``QueueError/corrupted(_:)`` for a bad record at a head that
    /// is still current (the head stays: nothing was read), and what `read` threw for a
    /// claimed message.
    @inline(__always)
    private func claim(at headNow: Cursor, pure: Bool, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) -> Bool {
        var claimed = false
        do throws(QueueError) {
            try readRecord(at: headNow.position) { (bytes, end) throws(QueueError) in
                let next = Cursor(count: headNow.count &+ 1, position: end).raw
                if pure {
                    var failure: QueueError?
                    do throws(QueueError) { try read(bytes) } catch { failure = error }
                    claimed = moveHead(from: headNow.raw, to: next)
                    if claimed, let failure { throw failure }
                    return
                }
                try withUnsafeTemporaryAllocation(byteCount: bytes.count, alignment: 16) { (copy) throws(QueueError) in
                    if let source = bytes.baseAddress { copy.baseAddress!.copyMemory(from: source, byteCount: bytes.count) }
                    claimed = moveHead(from: headNow.raw, to: next)
                    if claimed { try read(UnsafeRawBufferPointer(copy)) }
                }
            }
        } catch .corrupted(let what) where !claimed {
            // A stale head (another consumer went on) may show any bytes: only a current one
            // is corrupted.
            if head.pointee.load(ordering: .acquiring) == headNow.raw { throw .corrupted(what) }
            return false
        }
        return claimed
    }

    /// Publishes the head `next` if it is still `current`.
    @inline(__always)
    private func moveHead(from current: UInt64, to next: UInt64) -> Bool {
        head.pointee.compareExchange(expected: current, desired: next, ordering: .sequentiallyConsistent).exchanged
    }
}
