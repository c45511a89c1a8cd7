/// The results of a pool's `imap` or `imapUnordered` (Python's `IMapIterator`): one outcome
/// per input, in input order or in completion order, each a `Result` so that one failed item
/// does not hide the others.
///
/// The inputs are read as the results are iterated, like Python's iterables: the pool keeps a
/// bounded number of items submitted beyond those iterated (``lookahead``), so an endless or
/// huge sequence works when only part of its results is taken. Iterating blocks until the next
/// outcome is ready. It is a single-pass sequence, like Python's iterator: a second `for` loop
/// goes on where the first one stopped. Iterate from one thread at a time.
///
/// ```swift
/// for outcome in pool.imapUnordered(Square.self, 1...) {
///     if try outcome.get() > 1_000 { break }        // the endless input is read as needed
/// }
/// ```
public struct PoolResults<Value: Sendable>: Sequence, IteratorProtocol {
    /// Submits up to `limit` more items, numbered from `first`, each of which puts its outcome
    /// into `arrivals` with its number; returns how many it submitted, fewer than `limit` only
    /// once the inputs are exhausted. Called on the iterating thread.
    typealias Source = (_ first: Int, _ limit: Int, _ arrivals: SimpleThreadQueue<(Int, Result<Value, any Error>)>) -> Int

    private let feed: Feed

    /// Results read from `source`, `lookahead` items ahead of the iteration at most, taken in
    /// multiples of `step` (the chunk size). The first items are submitted right away.
    init(ordered: Bool, lookahead: Int, step: Int, source: @escaping Source) {
        feed = Feed(ordered: ordered, lookahead: Swift.max(lookahead, step), step: step, source: source)
        feed.refill()
    }

    /// The most items submitted beyond those iterated.
    public var lookahead: Int { feed.lookahead }

    /// The next outcome, waiting for it; nil after the last one.
    public mutating func next() -> Result<Value, any Error>? {
        do {
            return try feed.next(until: nil)
        } catch {
            fatalError("unreachable: an untimed wait timed out")
        }
    }

    /// The next outcome, waiting at most `timeout` for it; nil after the last one (Python's
    /// `next(timeout)`). Throws ``PoolError/timedOut`` if it is not ready in time; a later call
    /// may still return it.
    public mutating func next(timeout: Duration) throws(PoolError) -> Result<Value, any Error>? {
        try feed.next(until: .after(timeout))
    }

    /// The iteration state, shared by the copies of one `PoolResults`.
    private final class Feed {
        private let source: Source
        private let arrivals = SimpleThreadQueue<(Int, Result<Value, any Error>)>()
        private let ordered: Bool
        let lookahead: Int
        private let step: Int
        private var submitted = 0
        private var yielded = 0
        private var exhausted = false
        /// Ordered only: outcomes that arrived before those of earlier items.
        private var early: [Int: Result<Value, any Error>] = [:]

        init(ordered: Bool, lookahead: Int, step: Int, source: @escaping Source) {
            self.ordered = ordered
            self.lookahead = lookahead
            self.step = step
            self.source = source
        }

        /// Tops the submitted items up to `lookahead` ahead of the iteration, once half of
        /// that room is free (submitting in batches costs the pool fewer wake-ups).
        func refill() {
            let ahead = submitted - yielded
            guard !exhausted, ahead <= lookahead / 2 else { return }
            let room = (lookahead - ahead) / step * step
            let count = source(submitted, room, arrivals)
            submitted += count
            if count < room { exhausted = true }
        }

        func next(until deadline: Deadline?) throws(PoolError) -> Result<Value, any Error>? {
            refill()
            guard yielded < submitted else { return nil }
            let outcome: Result<Value, any Error>
            if ordered {
                while early[yielded] == nil {
                    let (index, arrived) = try receive(until: deadline)
                    early[index] = arrived
                }
                outcome = early.removeValue(forKey: yielded)!
            } else {
                outcome = try receive(until: deadline).1
            }
            yielded += 1
            return outcome
        }

        private func receive(until deadline: Deadline?) throws(PoolError) -> (Int, Result<Value, any Error>) {
            guard let deadline else { return arrivals.get() }
            do {
                return try arrivals.get(timeout: deadline.remaining)
            } catch {
                throw .timedOut
            }
        }
    }
}
