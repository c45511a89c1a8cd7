import Synchronization

/// The synchronization and storage of ``ThreadQueue`` (FIFO): a two-lock queue in the style of
/// Michael and Scott over a chain of fixed-size blocks (``FifoBlockLayout``), so that a
/// producer and a consumer working at the same time do not pass one lock and one set of
/// counters back and forth on every element (issue 16).
///
/// Producers serialize on the put lock and own the tail; consumers serialize on the take lock
/// and own the head. Each end has its own cache line: its lock word, its count (elements ever
/// put, elements ever taken) and its private position, plus the last count of the other end it
/// saw, so an end reads the other end's line only when its cached view runs out (a consumer
/// behind the producer takes many elements per look at the put count). Everything else derives
/// from the counts: the number of elements is `putCount - takeCount`, the unfinished tasks are
/// `putCount - doneCount` (``taskDone()`` counts on a third line, off the hot path).
///
/// Waiting: an empty get or a full put releases its end's lock and waits on an ``EventCount``
/// (spinning briefly first); the other end publishes its count with a sequentially consistent
/// store and then looks at the event count, which costs a load while nobody sleeps.
/// Shutdown takes the put lock (and, to discard, the take lock too), so no put completes after
/// it and a get that sees the flag sees every element put before it.
///
/// Like ``ThreadQueueCore`` it is not generic: `begin` calls return the slot, with the end's
/// lock held, and the generic caller moves the element in or out before the `end` call.
@usableFromInline
// @unchecked: the ends' positions are guarded by their locks; the counts are atomic.
final class SplitFifoCore: SyncPrimitive, @unchecked Sendable {
    /// The queue's words: the two locks and three event counts, each on its own cache line.
    let storage: SyncStorage
    /// Serializes producers; guards `tail`.
    let putLock: MutexCore
    /// Serializes consumers; guards `head`.
    let takeLock: MutexCore
    /// Getters waiting for an element sleep here.
    let notEmpty: EventCount
    /// Putters waiting for a free slot sleep here.
    let notFull: EventCount
    /// Joiners waiting for every task to be done sleep here.
    let allTasksDone: EventCount

    /// The bound; zero or less means none.
    let maxSize: Int
    /// The queue's type, named in misuse messages.
    let queueType: Any.Type
    /// The blocks' shape for this element type.
    private let layout: FifoBlockLayout

    /// One cache line per end, a third for the done count and the shut-down flag.
    private let lines: UnsafeMutableRawPointer
    /// Elements ever put; written by producers only, with `putLock` held.
    let putCount: UnsafeMutablePointer<Atomic<Int>>
    /// The producer end.
    private let tail: UnsafeMutablePointer<FifoEnd>
    /// Elements ever taken (or discarded); written by consumers only, with `takeLock` held.
    let takeCount: UnsafeMutablePointer<Atomic<Int>>
    /// The consumer end.
    private let head: UnsafeMutablePointer<FifoEnd>
    /// Tasks ever finished, by ``taskDone()`` or by a discard.
    let doneCount: UnsafeMutablePointer<Atomic<Int>>
    /// Whether the queue was shut down; set once, with `putLock` held.
    let closed: UnsafeMutablePointer<Atomic<Bool>>

    /// Bytes per line: two cache lines, so the adjacent-line prefetcher keeps the ends apart too.
    private static var lineBytes: Int { 128 }
    private static var wordsPerLine: Int { lineBytes / MemoryLayout<UInt32>.size }

    /// An empty queue bounded by `maxSize` (zero or less: none) for elements of `stride`
    /// bytes aligned to `alignment`; `queueType` is named in misuse messages.
    init(maxSize: Int, stride: Int, alignment: Int, queueType: Any.Type) {
        storage = Self.localStorage()
        let line = Self.wordsPerLine
        putLock = MutexCore(word: storage.word(0))
        takeLock = MutexCore(word: storage.word(line))
        notEmpty = EventCount(word: storage.word(2 * line))
        notFull = EventCount(word: storage.word(3 * line))
        allTasksDone = EventCount(word: storage.word(4 * line))
        self.maxSize = maxSize
        self.queueType = queueType
        layout = FifoBlockLayout(stride: stride, alignment: alignment)
        lines = .allocate(byteCount: 3 * Self.lineBytes, alignment: Self.lineBytes)
        let first = layout.allocate()
        let countBytes = MemoryLayout<Atomic<Int>>.stride
        putCount = lines.bindMemory(to: Atomic<Int>.self, capacity: 1)
        tail = (lines + countBytes).bindMemory(to: FifoEnd.self, capacity: 1)
        takeCount = (lines + Self.lineBytes).bindMemory(to: Atomic<Int>.self, capacity: 1)
        head = (lines + Self.lineBytes + countBytes).bindMemory(to: FifoEnd.self, capacity: 1)
        doneCount = (lines + 2 * Self.lineBytes).bindMemory(to: Atomic<Int>.self, capacity: 1)
        closed = (lines + 2 * Self.lineBytes + countBytes).bindMemory(to: Atomic<Bool>.self, capacity: 1)
        for count in [putCount, takeCount, doneCount] { count.initialize(to: Atomic(0)) }
        closed.initialize(to: Atomic(false))
        tail.initialize(to: FifoEnd(block: first, otherCount: 0))
        head.initialize(to: FifoEnd(block: first, otherCount: 0))
    }

    /// Frees the blocks; the owner has taken out (``discardSlot()``) every element first.
    deinit {
        var block: UnsafeMutableRawPointer? = head.pointee.block
        while let current = block {
            block = layout.next(of: current)
            current.deallocate()
        }
        lines.deallocate()
    }

    /// The queue as process-check messages name it.
    static var kind: StaticString { "a thread queue" }
    /// The words: five lines of ``wordsPerLine`` words, one each for the put lock, the take
    /// lock, `notEmpty`, `notFull` and `allTasksDone`.
    static var wordCount: Int { 5 * wordsPerLine }

    // MARK: Put

    /// Locks the put end and waits for a free slot until `deadline` (nil: forever). Returns
    /// the slot, with the put lock held: initialize one element there, then call ``endPut()``.
    /// Throws, with the lock released, `.shutDown` or, when the deadline passes, `.full`.
    @usableFromInline
    func beginPut(until deadline: Deadline?) throws(ThreadQueueError) -> UnsafeMutableRawPointer {
        checkProcess()
        _ = putLock.lock(until: nil)
        while true {
            if closed.pointee.load(ordering: .relaxed) { _ = putLock.unlock(); throw .shutDown }
            if maxSize <= 0 || hasRoom() { return tailSlot() }
            if let deadline, deadline.hasPassed { _ = putLock.unlock(); throw .full }
            _ = putLock.unlock()
            let bound = maxSize
            _ = notFull.wait(until: deadline) {
                putCount.pointee.load(ordering: .sequentiallyConsistent)
                    - takeCount.pointee.load(ordering: .sequentiallyConsistent) < bound
                    || closed.pointee.load(ordering: .sequentiallyConsistent)
            }
            _ = putLock.lock(until: nil)
        }
    }

    /// Publishes the element initialized after ``beginPut(until:)``, unlocks, wakes sleeping getters.
    @usableFromInline
    func endPut() {
        putCount.pointee.store(putCount.pointee.load(ordering: .relaxed) + 1, ordering: .sequentiallyConsistent)
        _ = putLock.unlock()
        notEmpty.signal()
    }

    /// With the put lock held: whether a bounded queue has a free slot, asking the take end
    /// only when the last take count seen says no.
    @inline(__always)
    private func hasRoom() -> Bool {
        let put = putCount.pointee.load(ordering: .relaxed)
        if put - tail.pointee.otherCount < maxSize { return true }
        tail.pointee.otherCount = takeCount.pointee.load(ordering: .acquiring)
        return put - tail.pointee.otherCount < maxSize
    }

    /// With the put lock held: the slot of the next element, linking a new block at a boundary.
    @inline(__always)
    private func tailSlot() -> UnsafeMutableRawPointer {
        let index = putCount.pointee.load(ordering: .relaxed)
        if layout.startsNewBlock(index) {
            let block = layout.allocate()
            layout.link(tail.pointee.block, to: block)
            tail.pointee.block = block
        }
        return layout.slot(index, in: tail.pointee.block)
    }

    // MARK: Get

    /// Locks the take end and waits for an element until `deadline` (nil: forever). Returns
    /// its slot, with the take lock held: move the element out, then call ``endGet()``.
    /// Throws, with the lock released, `.shutDown` once the queue is shut down and empty or,
    /// when the deadline passes, `.empty`.
    @usableFromInline
    func beginGet(until deadline: Deadline?) throws(ThreadQueueError) -> UnsafeMutableRawPointer {
        checkProcess()
        _ = takeLock.lock(until: nil)
        while true {
            // The flag first: once it is set, no put is left to come.
            let isClosed = closed.pointee.load(ordering: .sequentiallyConsistent)
            if hasElement() { return headSlot() }
            if isClosed { _ = takeLock.unlock(); throw .shutDown }
            if let deadline, deadline.hasPassed { _ = takeLock.unlock(); throw .empty }
            _ = takeLock.unlock()
            _ = notEmpty.wait(until: deadline) {
                putCount.pointee.load(ordering: .sequentiallyConsistent)
                    != takeCount.pointee.load(ordering: .sequentiallyConsistent)
                    || closed.pointee.load(ordering: .sequentiallyConsistent)
            }
            _ = takeLock.lock(until: nil)
        }
    }

    /// Records the element moved out after ``beginGet(until:)``, unlocks, wakes sleeping putters.
    @usableFromInline
    func endGet() {
        advanceHead()
        _ = takeLock.unlock()
        if maxSize > 0 { notFull.signal() }
    }

    /// With the take lock held: whether an element is there, asking the put end only when
    /// the last put count seen says no.
    @inline(__always)
    private func hasElement() -> Bool {
        let taken = takeCount.pointee.load(ordering: .relaxed)
        if taken != head.pointee.otherCount { return true }
        head.pointee.otherCount = putCount.pointee.load(ordering: .acquiring)
        return taken != head.pointee.otherCount
    }

    /// With the take lock held and an element there: its slot, freeing a block left behind.
    @inline(__always)
    private func headSlot() -> UnsafeMutableRawPointer {
        let index = takeCount.pointee.load(ordering: .relaxed)
        if layout.startsNewBlock(index) {
            let finished = head.pointee.block
            head.pointee.block = layout.next(of: finished)!
            finished.deallocate()
        }
        return layout.slot(index, in: head.pointee.block)
    }

    /// With the take lock held: counts the element at the head as taken.
    @inline(__always)
    private func advanceHead() {
        let taken = takeCount.pointee.load(ordering: .relaxed) + 1
        // A bounded queue's putters wait on the event-count handshake, which needs the
        // sequentially consistent store; an unbounded queue's take count is only a snapshot.
        if maxSize > 0 {
            takeCount.pointee.store(taken, ordering: .sequentiallyConsistent)
        } else {
            takeCount.pointee.store(taken, ordering: .releasing)
        }
    }

    /// Takes the element at the head out of the count and returns its slot: move or destroy
    /// the element there. Only while both locks are held (``beginShutdown(immediate:)``), or
    /// when no other thread can reach the queue (its owner's deinit), and only while
    /// ``countSnapshot`` is above zero.
    func discardSlot() -> UnsafeMutableRawPointer {
        _ = hasElement()
        let slot = headSlot()
        advanceHead()
        return slot
    }
}

/// One end's private state in ``SplitFifoCore``, guarded by that end's lock.
struct FifoEnd {
    /// The block holding the end's next element.
    var block: UnsafeMutableRawPointer
    /// The other end's count, as this end last read it.
    var otherCount: Int
}
