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
///
/// Its elements do not go through the inherited ordering: they live in a ``ListFifoCore``, a
/// lock-free list of blocks where a producer and a consumer running side by side write no
/// common word per element. The inherited core only names the queue in timeout messages.
// @unchecked: inherited from OrderedThreadQueue; `fifo` is thread-safe.
public final class ThreadQueue<Element: Sendable>: OrderedThreadQueue<FifoOrdering<Element>>, @unchecked Sendable {
    /// The elements and their synchronization.
    @usableFromInline let fifo: ListFifoCore

    /// Creates an empty queue that holds at most `maxSize` elements (zero or less: no bound).
    public init(maxSize: Int = 0) {
        fifo = ListFifoCore(
            maxSize: maxSize, stride: MemoryLayout<Element>.stride,
            alignment: MemoryLayout<Element>.alignment, queueType: ThreadQueue<Element>.self)
        super.init(maxSize: maxSize, ordering: FifoOrdering())
    }

    deinit {
        while let slot = fifo.takeForDiscard() {
            slot.element.assumingMemoryBound(to: Element.self).deinitialize(count: 1)
            fifo.endGet(slot)
        }
    }

    // MARK: Put and get

    /// Adds `element` at the back, waiting as long as the queue is full (Python's `put(item)`).
    @inlinable
    public override func put(_ element: consuming Element) throws(ThreadQueueError) {
        let slot = try fifo.beginPut(until: nil)
        slot.element.initializeMemory(as: Element.self, to: element)
        fifo.endPut(slot)
    }

    /// Adds `element` at the back, waiting at most `timeout` for a free slot.
    @inlinable
    public override func put(_ element: consuming Element, timeout: Duration) throws(ThreadQueueError) {
        let slot = try fifo.beginPut(until: core.deadline(timeout, of: "put(_:timeout:)"))
        slot.element.initializeMemory(as: Element.self, to: element)
        fifo.endPut(slot)
    }

    /// Adds `element` at the back if that is possible without waiting; returns whether it was added.
    @inlinable
    public override func tryPut(_ element: consuming Element) -> Bool {
        let slot: FifoSlot
        do { slot = try fifo.beginPut(until: .immediate) } catch { return false }
        slot.element.initializeMemory(as: Element.self, to: element)
        fifo.endPut(slot)
        return true
    }

    /// Removes and returns the front element, waiting as long as the queue is empty.
    @inlinable
    public override func get() throws(ThreadQueueError) -> Element {
        let slot = try fifo.beginGet(until: nil)
        defer { fifo.endGet(slot) }
        return slot.element.assumingMemoryBound(to: Element.self).move()
    }

    /// Removes and returns the front element, waiting at most `timeout` for one.
    @inlinable
    public override func get(timeout: Duration) throws(ThreadQueueError) -> Element {
        let slot = try fifo.beginGet(until: core.deadline(timeout, of: "get(timeout:)"))
        defer { fifo.endGet(slot) }
        return slot.element.assumingMemoryBound(to: Element.self).move()
    }

    /// Removes and returns the front element if there is one right now.
    @inlinable
    public override func tryGet() -> Element? {
        let slot: FifoSlot
        do { slot = try fifo.beginGet(until: .immediate) } catch { return nil }
        defer { fifo.endGet(slot) }
        return slot.element.assumingMemoryBound(to: Element.self).move()
    }

    // MARK: State, tasks and shutdown

    /// How many elements the queue holds right now (a snapshot).
    public override var count: Int { fifo.countSnapshot }

    /// Whether ``shutdown(immediate:)`` was called.
    public override var isShutDown: Bool { fifo.isShutDown }

    /// How many put elements have not been marked done with ``taskDone()`` yet.
    public override var unfinishedTaskCount: Int { fifo.unfinishedTaskCount }

    /// Marks one element taken from the queue as processed.
    public override func taskDone() { fifo.taskDone() }

    /// Waits until every element put has been marked done with ``taskDone()``.
    public override func join() { _ = fifo.join(until: nil) }

    /// Waits at most `timeout` until every element put has been marked done; returns whether they all were.
    @discardableResult
    public override func join(timeout: Duration) -> Bool { fifo.join(until: core.deadline(timeout, of: "join(timeout:)")) }

    /// Shuts the queue down; with `immediate`, discards the elements left.
    public override func shutdown(immediate: Bool = false) {
        fifo.beginShutdown()
        // Destroyed after the waiters are woken: an element's deinit may do anything.
        var discarded: [Element] = []
        if immediate {
            while let slot = fifo.takeForDiscard() {
                discarded.append(slot.element.assumingMemoryBound(to: Element.self).move())
                fifo.endGet(slot)
            }
        }
        fifo.endShutdown(discarded: discarded.count)
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
