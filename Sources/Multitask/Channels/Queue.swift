/// A first-in, first-out queue that threads and processes share (Python's
/// `multiprocessing.Queue`).
///
/// The queue lives in shared memory: children forked after its creation put and get through
/// the very same queue, with any number of producers and consumers. Elements are copied in:
/// trivial values (`Int`, structs of numbers, …) as their bytes, other `Codable` values
/// through the binary codec. Order is FIFO: one producer's elements come out in the order it
/// put them.
///
/// - `maxSize` bounds the number of elements held (0, the default: unbounded, and `put`
///   never waits for consumers — the storage grows while they lag, up to 4 GiB of queued
///   bytes. While consumers are actively draining, a put may pause for microseconds, at most
///   0.2 ms, rather than grow the storage; that keeps a busy queue small and in cache).
/// - `get` blocks while the queue is empty; `get(timeout:)` throws ``QueueError/empty`` when
///   the timeout passes; `tryGet()` returns nil at once. A blocking get that finds itself
///   right behind a producer still putting may wait a few microseconds for it to get ahead
///   (so that the two do not share cache lines; never for a producer that stopped).
/// - `put` blocks while a bounded queue is full; `put(_:timeout:)` throws ``QueueError/full``;
///   `tryPut(_:)` returns false at once.
/// - The `try` forms wait only for the queue's internal lock, and for at most 1 second:
///   another process's short critical section, or the take-over of a lock its dead holder
///   left, fits in that; a lock word a hostile peer set never holds them longer. The forms
///   without a timeout wait for that lock as long as it is held.
/// - ``close()`` closes the queue for every process: puts then throw ``QueueError/closed``;
///   gets return what is left, then throw ``QueueError/closed``.
/// - ``shutdown(immediate:)`` is Python 3.13's `shutdown`, for every process: puts then
///   throw ``QueueError/shutDown``; gets return what is left (nothing, after an immediate
///   shutdown, which discards it) and then throw ``QueueError/shutDown``. Waiting puts and
///   gets wake up and throw too.
/// - A process killed in the middle of a put or get (even by SIGKILL) never corrupts the
///   queue or blocks it for longer than about 100 ms: every element whose `put` returned is
///   delivered exactly once.
/// - The queue's memory is shared with every process that holds it, and trusted by none: a
///   process that scribbles on it can make operations throw ``QueueError/corrupted(_:)`` (or
///   deliver wrong elements), never crash or hang another process, or make it read or write
///   outside the queue's memory.
/// - A queue is `Codable` as a handle: a value sent to another process may contain it, and
///   the decoded queue is the same queue (its memory's descriptor must reach that process:
///   inherited by fork children, passed to spawned ones).
///
/// ```swift
/// let queue = try Queue<Int>()
/// // in a child process:
/// for i in 0..<3 { try queue.put(i) }
/// // in the parent:
/// let first = try queue.get(timeout: .seconds(1))
/// ```
// @unchecked: its only state is `storage`, a QueueStorage (shared-memory atomics and locks); not open, and its one subclass adds no state.
public class Queue<Element: Codable>: Codable, @unchecked Sendable {
    @usableFromInline let storage: QueueStorage

    /// Creates an empty queue holding at most `maxSize` elements (0: no limit).
    ///
    /// Throws ``QueueError/resourcesExhausted(_:)`` when the system refuses the queue's shared
    /// memory (every queue reserves 4 GiB of address space). A negative `maxSize` stops the
    /// program.
    public init(maxSize: Int = 0) throws(QueueError) {
        storage = try QueueStorage(maxSize: maxSize)
    }

    /// The queue a handle refers to (see the type's documentation); throws if its memory is
    /// not available in this process or holds another element type.
    public required init(from decoder: any Decoder) throws {
        storage = try QueueStorage.decode(element: Element.self, from: decoder)
    }

    /// Encodes a handle to this queue.
    public final func encode(to encoder: any Encoder) throws {
        try storage.encode(element: Element.self, to: encoder)
    }

    /// The most elements the queue holds (0: unbounded).
    public final var maxSize: Int { storage.maxSize }

    /// Appends `element`, waiting while a bounded queue is full.
    @inlinable
    public final func put(_ element: Element) throws(QueueError) {
        try MessageCoding<Element>.send(element, to: storage, timeout: nil, blocking: true)
    }

    /// Appends `element`, waiting at most `timeout` for room; throws ``QueueError/full`` then.
    @inlinable
    public final func put(_ element: Element, timeout: Duration) throws(QueueError) {
        try MessageCoding<Element>.send(element, to: storage, timeout: timeout, blocking: true)
    }

    /// Appends `element` if there is room right now; returns whether it did.
    @inlinable
    public final func tryPut(_ element: Element) throws(QueueError) -> Bool {
        do {
            try MessageCoding<Element>.send(element, to: storage, timeout: nil, blocking: false)
            return true
        } catch .full {
            return false
        }
    }

    /// Removes and returns the oldest element, waiting while the queue is empty.
    @inlinable
    public final func get() throws(QueueError) -> Element {
        try MessageCoding<Element>.receive(from: storage, timeout: nil, blocking: true)
    }

    /// Removes and returns the oldest element, waiting at most `timeout`; throws
    /// ``QueueError/empty`` then.
    @inlinable
    public final func get(timeout: Duration) throws(QueueError) -> Element {
        try MessageCoding<Element>.receive(from: storage, timeout: timeout, blocking: true)
    }

    /// Removes and returns the oldest element if there is one right now, else nil.
    @inlinable
    public final func tryGet() throws(QueueError) -> Element? {
        do {
            return try MessageCoding<Element>.receive(from: storage, timeout: nil, blocking: false)
        } catch .empty {
            return nil
        }
    }

    /// The number of elements in the queue (a snapshot; Python's `qsize()`).
    public final var count: Int { storage.count }

    /// Whether the queue is empty (a snapshot).
    public final var isEmpty: Bool { storage.count == 0 }

    /// Whether a bounded queue is full (a snapshot).
    public final var isFull: Bool { storage.maxSize > 0 && storage.count >= storage.maxSize }

    /// Closes the queue for every process sharing it (see the type's documentation). Closing
    /// a queue that is shut down changes nothing.
    public final func close() { storage.close() }

    /// Whether the queue was closed with ``close()`` (and not shut down since).
    public final var isClosed: Bool { storage.isClosed }

    /// Shuts the queue down for every process sharing it (Python 3.13's `Queue.shutdown`,
    /// with the semantics of ``OrderedThreadQueue/shutdown(immediate:)``).
    ///
    /// From now on every put throws ``QueueError/shutDown``, also the ones waiting for room
    /// in a bounded queue. Gets return the elements left and then throw
    /// ``QueueError/shutDown``, also the ones waiting for an element. With `immediate`, the
    /// elements left are discarded at once — each finishing its task, so a
    /// ``JoinableQueue/join()`` returns unless an element already taken is unfinished — and
    /// gets throw straight away. Every process sees the change at its next operation, and
    /// its waiting threads wake up. A closed queue becomes shut down.
    ///
    /// ```swift
    /// let jobs = try Queue<Int>()
    /// // workers in other processes: while let job = try? jobs.get() { … }
    /// jobs.shutdown()   // each worker's get throws .shutDown once the queue is drained
    /// ```
    public final func shutdown(immediate: Bool = false) { storage.shutdown(immediate: immediate) }

    /// Whether ``shutdown(immediate:)`` was called, in any process (Python's `is_shutdown`).
    public final var isShutDown: Bool { storage.isShutDown }
}

/// A ``Queue`` that also counts unfinished tasks (Python's `multiprocessing.JoinableQueue`).
///
/// Every element put is a task; a consumer calls ``taskDone()`` once it has processed an
/// element it got, and ``join()`` waits until every task put so far is done.
///
/// ```swift
/// let jobs = try JoinableQueue<Int>()
/// // workers: while let job = try? jobs.get() { work(job); jobs.taskDone() }
/// for job in 0..<100 { try jobs.put(job) }
/// jobs.join()
/// ```
// @unchecked: inherited from Queue; adds no state.
public final class JoinableQueue<Element: Codable>: Queue<Element>, @unchecked Sendable {
    /// Marks one element got from the queue as processed. Calling it more often than elements
    /// were put stops the program.
    public func taskDone() {
        guard storage.taskDone() else { fatalError("JoinableQueue.taskDone() called more times than there were elements put") }
    }

    /// Waits until every element put so far has been marked done.
    public func join() { _ = storage.join(until: nil) }

    /// Waits at most `timeout` for every element put so far to be marked done; returns
    /// whether they were.
    public func join(timeout: Duration) -> Bool { storage.join(until: .timeout(timeout, of: "Queue.join(timeout:)")) }

    /// Elements put and not yet marked done.
    public var unfinishedTaskCount: Int { storage.unfinishedTaskCount }
}

/// An unbounded first-in, first-out queue shared by threads and processes, with the smallest
/// API (Python's `multiprocessing.SimpleQueue`): `put` never blocks, `get` waits.
///
/// Same transport and guarantees as ``Queue``.
///
/// ```swift
/// let results = try SimpleQueue<String>()
/// try results.put("done")
/// let message = try results.get()
/// ```
// @unchecked: its only state is `storage`, a QueueStorage (shared-memory atomics and locks).
public final class SimpleQueue<Element: Codable>: Codable, @unchecked Sendable {
    @usableFromInline let storage: QueueStorage

    /// Creates an empty queue; throws ``QueueError/resourcesExhausted(_:)`` when the system
    /// refuses its shared memory (see ``Queue/init(maxSize:)``).
    public init() throws(QueueError) {
        storage = try QueueStorage(maxSize: 0)
    }

    /// The queue a handle refers to (see ``Queue``).
    public init(from decoder: any Decoder) throws {
        storage = try QueueStorage.decode(element: Element.self, from: decoder)
    }

    /// Encodes a handle to this queue.
    public func encode(to encoder: any Encoder) throws {
        try storage.encode(element: Element.self, to: encoder)
    }

    /// Appends `element`; never blocks. Throws ``QueueError/closed`` after ``close()``.
    @inlinable
    public func put(_ element: Element) throws(QueueError) {
        try MessageCoding<Element>.send(element, to: storage, timeout: nil, blocking: true)
    }

    /// Removes and returns the oldest element, waiting while the queue is empty; throws
    /// ``QueueError/closed`` once the queue is closed and empty.
    @inlinable
    public func get() throws(QueueError) -> Element {
        try MessageCoding<Element>.receive(from: storage, timeout: nil, blocking: true)
    }

    /// Whether the queue is empty (a snapshot).
    public var isEmpty: Bool { storage.count == 0 }

    /// Closes the queue for every process sharing it.
    public func close() { storage.close() }
}
