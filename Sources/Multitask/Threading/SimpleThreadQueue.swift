/// An unbounded first-in, first-out thread queue without task tracking or shutdown:
/// Python's `queue.SimpleQueue`.
///
/// ``put(_:)`` never waits and never fails; ``get()`` waits for an element and never fails.
/// Use ``ThreadQueue`` when you need a bound, ``ThreadQueue/join()`` or a shutdown.
///
/// ```swift
/// let results = SimpleThreadQueue<Int>()
/// let worker = Thread { results.put(6 * 7) }
/// worker.start()
/// print(results.get())  // 42
/// ```
public final class SimpleThreadQueue<Element: Sendable>: Sendable {
    // Never bounded and never shut down, so its put and get cannot throw.
    @usableFromInline let queue = ThreadQueue<Element>()

    /// Creates an empty queue.
    public init() {}

    /// Adds `element` at the back; never waits (Python's `put(item)`).
    @inlinable
    public func put(_ element: consuming Element) {
        try! queue.put(element)
    }

    /// Removes and returns the front element, waiting as long as the queue is empty
    /// (Python's `get()`).
    @inlinable
    public func get() -> Element {
        try! queue.get()
    }

    /// Removes and returns the front element, waiting at most `timeout` for one
    /// (Python's `get(timeout=t)`); throws ``ThreadQueueError/empty`` when the time is up.
    /// A negative timeout is a programmer error.
    @inlinable
    public func get(timeout: Duration) throws(ThreadQueueError) -> Element {
        try queue.get(timeout: timeout)
    }

    /// Removes and returns the front element if there is one right now (Python's `get_nowait`).
    @inlinable
    public func tryGet() -> Element? {
        queue.tryGet()
    }

    /// How many elements the queue holds right now (a snapshot; Python's `qsize()`).
    @inlinable
    public var count: Int { queue.count }

    /// Whether the queue holds no element right now (a snapshot; Python's `empty()`).
    @inlinable
    public var isEmpty: Bool { queue.isEmpty }
}
