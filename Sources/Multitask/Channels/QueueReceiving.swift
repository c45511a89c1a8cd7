/// The entries consumers call, both over ``QueueStorage/take(timeout:blocking:_:)``: any
/// message through a closure, and the word-sized path, where an `Int`, a `Double` or another
/// 8-byte value the raw-bytes rule admits comes back as one 64-bit word. (Its put is already
/// two stores, in `QueueRecords`.) The word path reads the record with the read inlined
/// instead of calling the caller's closure through a context for every message: the consumer
/// is the slower side of a streaming pair, so what it saves is throughput.
extension QueueStorage {
    /// Removes the oldest message and passes its bytes (valid only during the call) to
    /// `read`; see ``take(timeout:blocking:_:)``. Not generic, so that the generic layer
    /// above stays thin whether or not it is specialized.
    @usableFromInline
    func get(timeout: Duration?, blocking: Bool, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) {
        try take(timeout: timeout, blocking: blocking, read)
    }

    /// Removes the oldest message like ``get(timeout:blocking:_:)`` and returns its length and,
    /// when that is 8 bytes, its bytes as a word (else 0). The message is consumed either way;
    /// the caller reports a wrong length.
    @usableFromInline
    func getWord(timeout: Duration?, blocking: Bool) throws(QueueError) -> (word: UInt64, count: Int) {
        var word: UInt64 = 0
        var count = 0
        try take(timeout: timeout, blocking: blocking) { (bytes) throws(QueueError) in
            count = bytes.count
            if count == MemoryLayout<UInt64>.size { word = bytes.loadUnaligned(as: UInt64.self) }
        }
        return (word, count)
    }
}
