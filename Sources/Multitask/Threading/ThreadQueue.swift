import DequeModule

/// A first-in, first-out thread queue: Python's `queue.Queue`.
///
/// Threads hand elements to each other through it: ``put(_:)`` adds at the back and waits
/// while a bounded queue is full, ``get()`` takes from the front and waits while it is
/// empty. ``taskDone()`` and ``join()`` let a producer wait until consumers have processed
/// everything; ``shutdown(immediate:)`` stops it. ``OrderedThreadQueue`` states the rules.
///
/// ```swift
/// let jobs = ThreadQueue<Int>(maxSize: 100)
/// let worker = Thread {
///     while let job = try? jobs.get() { process(job); jobs.taskDone() }
/// }
/// worker.start()
/// for job in 0..<1_000 { try jobs.put(job) }
/// jobs.join()          // every job processed
/// jobs.shutdown()      // the worker's next get throws, and it ends
/// ```
// @unchecked: inherited from OrderedThreadQueue; adds no state.
public final class ThreadQueue<Element: Sendable>: OrderedThreadQueue<FifoOrdering<Element>>, @unchecked Sendable {
    /// Creates an empty queue that holds at most `maxSize` elements (zero or less: no bound).
    public init(maxSize: Int = 0) {
        super.init(maxSize: maxSize, ordering: FifoOrdering())
    }
}

/// First in, first out: the ordering of ``ThreadQueue``.
public struct FifoOrdering<Element: Sendable>: ThreadQueueOrdering {
    @usableFromInline var elements = Deque<Element>()

    /// An empty ordering.
    @inlinable public init() {}

    @inlinable public var count: Int { elements.count }

    @inlinable public mutating func insert(_ element: consuming Element) { elements.append(element) }

    @inlinable public mutating func removeNext() -> Element { elements.removeFirst() }
}
