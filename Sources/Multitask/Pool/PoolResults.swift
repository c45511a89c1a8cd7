/// The results of a pool `imap`, one per input, in input order (Python's `imap` iterator).
///
/// Iterating blocks until the next result is ready; each element is that task's
/// `Result`, so one failed task does not hide the others.
public struct PoolResults<Value: Sendable>: Sequence, Sendable {
    let pending: [AsyncResult<Value>]

    /// An iterator that waits for each result in turn.
    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[AsyncResult<Value>]>

        /// The next task's outcome, waiting for it; nil after the last one.
        public mutating func next() -> Result<Value, any Error>? {
            guard let result = base.next() else { return nil }
            return Result { try result.get() }
        }
    }

    /// Iterates the results in input order.
    public func makeIterator() -> Iterator { Iterator(base: pending.makeIterator()) }

    /// The number of results.
    public var count: Int { pending.count }
}
