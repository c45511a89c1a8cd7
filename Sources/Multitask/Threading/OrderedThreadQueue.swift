import Synchronization

/// The order in which a thread queue hands out its elements: the storage behind
/// ``OrderedThreadQueue``.
///
/// This is the Swift form of overriding `_init`, `_qsize`, `_put` and `_get` in a Python
/// `queue.Queue` subclass. The queue calls these methods with its lock held, so an ordering
/// needs no synchronization of its own. ``FifoOrdering``, ``LifoOrdering`` and
/// ``PriorityOrdering`` back ``ThreadQueue``, ``LifoThreadQueue`` and ``PriorityThreadQueue``.
public protocol ThreadQueueOrdering<Element> {
    /// What the queue holds.
    associatedtype Element: Sendable
    /// How many elements are held.
    var count: Int { get }
    /// Adds `element`.
    mutating func insert(_ element: consuming Element)
    /// Removes and returns the element to hand out next. Called only when `count > 0`.
    mutating func removeNext() -> Element
}

/// A thread-safe queue whose order is given by `Ordering`, with Python's `queue.Queue`
/// semantics: an optional bound, blocking, timed and non-blocking put and get, task tracking
/// with ``taskDone()`` and ``join()``, and Python 3.13's ``shutdown(immediate:)``.
///
/// Use it through ``ThreadQueue`` (FIFO), ``LifoThreadQueue`` or ``PriorityThreadQueue``;
/// create one directly only for an ordering of your own. The rules:
/// - `maxSize` zero (or less) means unbounded: `put` never waits. Otherwise `put` waits while
///   `count == maxSize`.
/// - Timeouts are ``ThreadQueueError/full`` for a put and ``ThreadQueueError/empty`` for a get.
/// - After ``shutdown(immediate:)`` every put throws ``ThreadQueueError/shutDown``; gets go on
///   returning the elements left and then throw ``ThreadQueueError/shutDown``.
/// - Each put adds one unfinished task; ``taskDone()`` finishes one, and calling it more
///   often than elements were put is a programmer error that stops the program.
///
/// A waiting get or put spins briefly before it sleeps, and a put or get wakes a sleeper with
/// a system call only when one is sleeping, so a hand-off between two busy threads costs no
/// system call at all. Elements are moved in and out, never copied.
///
/// The queue is process-local: using it in a fork child stops the program with a message.
/// ``ThreadQueue`` overrides the non-final members with a FIFO of its own whose producer and
/// consumer ends share no lock (``ListFifoCore``).
// @unchecked: `ordering` is touched only between `core`'s begin and end calls, with its lock held.
public class OrderedThreadQueue<Ordering: ThreadQueueOrdering>: @unchecked Sendable {
    /// What the queue holds.
    public typealias Element = Ordering.Element

    @usableFromInline let core: ThreadQueueCore
    /// Invariant: initialized from `init` to `deinit`, accessed only with `core`'s lock held
    /// (between a `begin` and an `end` call). A pointer rather than a stored `var`, so that
    /// each access skips the dynamic exclusivity check.
    @usableFromInline let ordering: UnsafeMutablePointer<Ordering>

    /// Creates a queue that holds at most `maxSize` elements (zero or less: no bound) in the
    /// order of `ordering`. Elements `ordering` already holds count as put.
    public init(maxSize: Int = 0, ordering: Ordering) {
        core = ThreadQueueCore(maxSize: maxSize, count: ordering.count, queueType: Self.self)
        self.ordering = .allocate(capacity: 1)
        self.ordering.initialize(to: ordering)
    }

    deinit {
        ordering.deinitialize(count: 1)
        ordering.deallocate()
    }

    /// The bound given at creation; zero or less means unbounded (Python's `maxsize`).
    public final var maxSize: Int { core.maxSize }

    // MARK: Put

    /// Adds `element`, waiting as long as the queue is full (Python's `put(item)`).
    ///
    /// Throws ``ThreadQueueError/shutDown`` if the queue is shut down, also while waiting.
    @inlinable
    public func put(_ element: consuming Element) throws(ThreadQueueError) {
        try core.beginPut(until: nil)
        ordering.pointee.insert(element)
        core.endPut()
    }

    /// Adds `element`, waiting at most `timeout` for a free slot
    /// (Python's `put(item, timeout=t)`; a zero timeout is `put_nowait`; a negative one is a
    /// programmer error).
    ///
    /// Throws ``ThreadQueueError/full`` when the time is up, ``ThreadQueueError/shutDown`` if
    /// the queue is shut down.
    @inlinable
    public func put(_ element: consuming Element, timeout: Duration) throws(ThreadQueueError) {
        try core.beginPut(until: core.deadline(timeout, of: "put(_:timeout:)"))
        ordering.pointee.insert(element)
        core.endPut()
    }

    /// Adds `element` if that is possible without waiting; returns whether it was added
    /// (Python's `put_nowait`). It is not added when the queue is full or shut down;
    /// `put(_:timeout: .zero)` tells those two apart.
    @inlinable
    public func tryPut(_ element: consuming Element) -> Bool {
        do { try core.beginPut(until: .immediate) } catch { return false }
        ordering.pointee.insert(element)
        core.endPut()
        return true
    }

    // MARK: Get

    /// Removes and returns the next element, waiting as long as the queue is empty
    /// (Python's `get()`).
    ///
    /// Throws ``ThreadQueueError/shutDown`` once the queue is shut down and empty.
    @inlinable
    public func get() throws(ThreadQueueError) -> Element {
        try core.beginGet(until: nil)
        defer { core.endGet() }
        return ordering.pointee.removeNext()
    }

    /// Removes and returns the next element, waiting at most `timeout` for one
    /// (Python's `get(timeout=t)`; a zero timeout is `get_nowait`; a negative one is a
    /// programmer error).
    ///
    /// Throws ``ThreadQueueError/empty`` when the time is up, ``ThreadQueueError/shutDown``
    /// once the queue is shut down and empty.
    @inlinable
    public func get(timeout: Duration) throws(ThreadQueueError) -> Element {
        try core.beginGet(until: core.deadline(timeout, of: "get(timeout:)"))
        defer { core.endGet() }
        return ordering.pointee.removeNext()
    }

    /// Removes and returns the next element if there is one right now; `nil` if the queue is
    /// empty, shut down or not (Python's `get_nowait`).
    @inlinable
    public func tryGet() -> Element? {
        do { try core.beginGet(until: .immediate) } catch { return nil }
        defer { core.endGet() }
        return ordering.pointee.removeNext()
    }

    // MARK: State

    /// How many elements the queue holds right now (a snapshot; Python's `qsize()`).
    public var count: Int { core.countSnapshot }

    /// Whether the queue holds no element right now (a snapshot; Python's `empty()`).
    public final var isEmpty: Bool { count == 0 }

    /// Whether the queue is bounded and holds `maxSize` elements right now
    /// (a snapshot; Python's `full()`).
    public final var isFull: Bool { maxSize > 0 && count >= maxSize }

    /// Whether ``shutdown(immediate:)`` was called (Python's `is_shutdown`).
    public var isShutDown: Bool { core.isShutDown }

    /// How many put elements have not been marked done with ``taskDone()`` yet
    /// (Python's `unfinished_tasks`).
    public var unfinishedTaskCount: Int { core.unfinishedTaskCount }

    // MARK: Tasks

    /// Marks one element taken from the queue as processed (Python's `task_done()`).
    ///
    /// When every element put has been marked done, ``join()`` returns. Calling it more
    /// often than elements were put is a programmer error that stops the program.
    public func taskDone() { core.taskDone() }

    /// Waits until every element put has been marked done with ``taskDone()``
    /// (Python's `join()`).
    public func join() { _ = core.join(until: nil) }

    /// Waits at most `timeout` until every element put has been marked done; returns whether
    /// they all were. A negative timeout is a programmer error.
    @discardableResult
    public func join(timeout: Duration) -> Bool { core.join(until: core.deadline(timeout, of: "join(timeout:)")) }

    // MARK: Shutdown

    /// Shuts the queue down (Python 3.13's `shutdown()`).
    ///
    /// From now on every put throws ``ThreadQueueError/shutDown``, also the ones waiting for a
    /// free slot. Gets return the elements left and then throw ``ThreadQueueError/shutDown``,
    /// also the ones waiting for an element. With `immediate`, the elements left are discarded
    /// at once, each finishing its task (so ``join()`` returns unless an element already
    /// taken is still unfinished), and gets throw straight away.
    public func shutdown(immediate: Bool = false) {
        let discardCount = core.beginShutdown(immediate: immediate)
        // Destroyed after the lock is released: an element's deinit may do anything.
        var discarded: [Element] = []
        discarded.reserveCapacity(discardCount)
        for _ in 0..<discardCount {
            discarded.append(ordering.pointee.removeNext())
        }
        core.endShutdown(discarded: discardCount)
    }
}
