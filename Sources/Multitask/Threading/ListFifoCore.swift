import Synchronization

/// The synchronization and storage of ``ThreadQueue`` (FIFO): a lock-free unbounded list of
/// blocks in the manner of crossbeam-channel's `list` flavour (issue 16).
///
/// Two indices count positions: the tail (positions claimed by producers) and the head
/// (positions claimed by consumers). Each block holds ``FifoBlockLayout/slotCount`` slots and
/// takes ``FifoBlockLayout/lap`` positions; the extra position says "the next block is being
/// installed" and makes everyone else wait briefly. A producer claims a slot with one
/// compare-and-exchange on the tail, initializes the element there and marks the slot written;
/// a consumer claims one with one compare-and-exchange on the head, waits for the written mark
/// (at most the few instructions the producer still has to do), moves the element out and marks
/// the slot read. No word is written by both sides per element: the slots' lines travel from
/// producer to consumer, and a consumer reads the tail only when the head reaches the tail it
/// last saw (``knownTail``), so a consumer behind its producer takes many elements per look.
/// Each index has a cache line of its own (two, for the adjacent-line prefetcher).
///
/// Bit 0 of the tail marks the queue shut down: a producer sees it in the very word it claims
/// with, so no put completes after a shutdown, and a consumer sees it with the tail it compares
/// the head against. The element count is `tail - head`, the unfinished tasks are
/// `tail - doneCount` (positions converted to elements).
///
/// A bounded queue adds a room count on a line of its own: a producer takes one unit before it
/// claims a slot, a consumer gives one back after it claimed one, so `tail - head` never
/// exceeds the bound.
///
/// Waiting: an empty get lingers (``lingerForElement()``), then an empty get or a full put
/// waits on an ``EventCount``; the other side publishes with a sequentially consistent
/// read-modify-write and then looks at the event count: a load while nobody sleeps.
@usableFromInline
// @unchecked: every shared word is atomic; the rest is immutable.
final class ListFifoCore: SyncPrimitive, @unchecked Sendable {
    /// The queue's words: three event counts, each on a line of its own.
    let storage: SyncStorage
    /// Getters waiting for an element sleep here.
    let notEmpty: EventCount
    /// Putters waiting for room sleep here.
    let notFull: EventCount
    /// Joiners waiting for every task to be done sleep here.
    let allTasksDone: EventCount

    /// The bound; zero or less means none.
    let maxSize: Int
    /// The queue's type, named in misuse messages.
    let queueType: Any.Type
    /// Where slots and elements are in a block.
    let layout: FifoBlockLayout

    /// The lines below, allocated together.
    private let lines: UnsafeMutableRawPointer
    /// Position of the next slot to claim for a put, times two, plus the shut-down bit.
    let tail: UnsafeMutablePointer<Atomic<Int>>
    /// The block of the tail's position (updated before the tail enters a new block).
    let tailBlock: UnsafeMutablePointer<Atomic<UnsafeMutableRawPointer>>
    /// Position of the next slot to claim for a get, times two.
    let head: UnsafeMutablePointer<Atomic<Int>>
    /// The block of the head's position (updated before the head enters a new block).
    let headBlock: UnsafeMutablePointer<Atomic<UnsafeMutableRawPointer>>
    /// A tail (without the shut-down bit) that consumers saw: a head below it has an element.
    let knownTail: UnsafeMutablePointer<Atomic<Int>>
    /// Tasks finished, by ``taskDone()`` or by a discard.
    let doneCount: UnsafeMutablePointer<Atomic<Int>>
    /// Free places of a bounded queue.
    let room: UnsafeMutablePointer<Atomic<Int>>
    /// Blocks whose slots were all read, kept for reuse (``spareCount`` places, nil: empty).
    let spares: UnsafeMutablePointer<Atomic<UnsafeMutableRawPointer?>>

    /// Bytes per line: two cache lines, so the adjacent-line prefetcher keeps the ends apart too.
    private static var lineBytes: Int { 128 }
    private static var wordsPerLine: Int { lineBytes / MemoryLayout<UInt32>.size }
    /// Bit 0 of ``tail``: the queue is shut down.
    static var closedBit: Int { 1 }
    /// One position in ``tail`` and ``head``.
    static var step: Int { 2 }

    /// An empty queue bounded by `maxSize` (zero or less: none) for elements of `stride`
    /// bytes aligned to `alignment`; `queueType` is named in misuse messages.
    init(maxSize: Int, stride: Int, alignment: Int, queueType: Any.Type) {
        storage = Self.localStorage()
        let line = Self.wordsPerLine
        notEmpty = EventCount(word: storage.word(0))
        notFull = EventCount(word: storage.word(line))
        allTasksDone = EventCount(word: storage.word(2 * line))
        self.maxSize = maxSize
        self.queueType = queueType
        layout = FifoBlockLayout(stride: stride, alignment: alignment)
        let bytes = Self.lineBytes, word = MemoryLayout<Int>.stride
        lines = .allocate(byteCount: 5 * bytes, alignment: bytes)
        tail = lines.bindMemory(to: Atomic<Int>.self, capacity: 1)
        tailBlock = (lines + word).bindMemory(to: Atomic<UnsafeMutableRawPointer>.self, capacity: 1)
        head = (lines + bytes).bindMemory(to: Atomic<Int>.self, capacity: 1)
        headBlock = (lines + bytes + word).bindMemory(to: Atomic<UnsafeMutableRawPointer>.self, capacity: 1)
        knownTail = (lines + bytes + 2 * word).bindMemory(to: Atomic<Int>.self, capacity: 1)
        doneCount = (lines + 2 * bytes).bindMemory(to: Atomic<Int>.self, capacity: 1)
        room = (lines + 3 * bytes).bindMemory(to: Atomic<Int>.self, capacity: 1)
        for index in [tail, head, knownTail, doneCount] { index.initialize(to: Atomic(0)) }
        room.initialize(to: Atomic(max(maxSize, 0)))
        spares = (lines + 4 * bytes).bindMemory(to: Atomic<UnsafeMutableRawPointer?>.self, capacity: Self.spareCount)
        for place in 0..<Self.spareCount { (spares + place).initialize(to: Atomic(nil)) }
        let first = layout.allocate()
        tailBlock.initialize(to: Atomic(first))
        headBlock.initialize(to: Atomic(first))
    }

    /// Frees the last block; the owner has taken out (``takeForDiscard()``) every element first.
    deinit {
        headBlock.pointee.load(ordering: .relaxed).deallocate()
        for place in 0..<Self.spareCount { spares[place].load(ordering: .relaxed)?.deallocate() }
        lines.deallocate()
    }

    /// The queue as process-check messages name it.
    static var kind: StaticString { "a thread queue" }
    /// The words: three lines of ``wordsPerLine`` words, for `notEmpty`, `notFull` and `allTasksDone`.
    static var wordCount: Int { 3 * wordsPerLine }

    /// An index and then its block: the block is the index's own, or a later one if the
    /// index moved on in between (then a claim with the index fails).
    @inline(__always)
    private static func read(
        _ index: UnsafeMutablePointer<Atomic<Int>>, _ block: UnsafeMutablePointer<Atomic<UnsafeMutableRawPointer>>
    ) -> (Int, UnsafeMutableRawPointer) {
        let value = index.pointee.load(ordering: .acquiring)
        return (value, block.pointee.load(ordering: .acquiring))
    }

    // MARK: Put

    /// Waits for room until `deadline` (nil: forever) and claims a slot. Returns it: initialize
    /// one element at its ``FifoSlot/element``, then call ``endPut(_:)``. Throws `.shutDown`
    /// or, when the deadline passes, `.full`.
    @usableFromInline
    func beginPut(until deadline: Deadline?) throws(ThreadQueueError) -> FifoSlot {
        checkProcess()
        if maxSize > 0 { try takeRoom(until: deadline) }
        guard let slot = claimTail() else {
            if maxSize > 0 { giveRoom() }
            throw .shutDown
        }
        return slot
    }

    /// Publishes the element initialized after ``beginPut(until:)`` and wakes sleeping getters.
    @usableFromInline
    func endPut(_ slot: FifoSlot) {
        layout.markWritten(slot.offset, in: slot.block)
        notEmpty.signal()
    }

    /// Claims the slot at the tail; nil once the queue is shut down.
    @inline(__always)
    private func claimTail() -> FifoSlot? {
        var backoff = FifoBackoff()
        var (index, block) = Self.read(tail, tailBlock)
        var spare: UnsafeMutableRawPointer?
        defer { if let spare { retire(spare) } }
        while true {
            if index & Self.closedBit != 0 { return nil }
            let offset = Self.offset(of: index)
            if offset == FifoBlockLayout.slotCount {
                backoff.snooze()  // another producer is installing the next block
                (index, block) = Self.read(tail, tailBlock)
                continue
            }
            let isLast = offset + 1 == FifoBlockLayout.slotCount
            if isLast && spare == nil { spare = newBlock() }
            let (claimed, current) = tail.pointee.weakCompareExchange(
                expected: index, desired: index + Self.step,
                successOrdering: .sequentiallyConsistent, failureOrdering: .acquiring)
            if claimed {
                if isLast, let next = spare {
                    spare = nil
                    tailBlock.pointee.store(next, ordering: .releasing)
                    // An add, not a store: it keeps a shut-down bit set in the meantime.
                    tail.pointee.add(Self.step, ordering: .releasing)
                    layout.link(block, to: next)
                }
                return FifoSlot(block: block, offset: offset, layout: layout)
            }
            index = current
            block = tailBlock.pointee.load(ordering: .acquiring)
            backoff.spin()
        }
    }

    // MARK: Get

    /// Waits for an element until `deadline` (nil: forever) and claims its slot. Returns it:
    /// move the element out of its ``FifoSlot/element``, then call ``endGet(_:)``. Throws
    /// `.shutDown` once the queue is shut down and empty or, when the deadline passes, `.empty`.
    @usableFromInline
    func beginGet(until deadline: Deadline?) throws(ThreadQueueError) -> FifoSlot {
        checkProcess()
        while true {
            switch claimHead() {
            case .claimed(let slot):
                layout.waitWritten(slot.offset, in: slot.block)
                return slot
            case .closed:
                throw .shutDown
            case .empty:
                if let deadline, deadline.hasPassed { throw .empty }
                if lingerForElement() { continue }
                _ = notEmpty.wait(until: deadline) { hasElementOrIsShutDown }
            }
        }
    }

    /// How long a getter lingers on an empty queue, in nanoseconds.
    private static var lingerNanoseconds: Int64 { 3_000 }
    /// How often a lingering getter looks at the tail, in nanoseconds.
    private static var lingerPollNanoseconds: Int64 { 300 }

    /// Waits a little for an element before the event-count wait, looking at the tail only
    /// every few hundred nanoseconds: a consumer that keeps up with its producer and looked at
    /// every element would pull the tail's line and the newest slot's line away from the
    /// producer on every put. Lingering lets the producer put a batch undisturbed, which the
    /// consumer then takes with one look. Returns whether an element came (or the queue was
    /// shut down).
    @inline(never)
    private func lingerForElement() -> Bool {
        let start = Deadline.now.nanoseconds
        var nextPoll = start + Self.lingerPollNanoseconds
        while true {
            for _ in 0..<4 { CPU.relax() }
            let now = Deadline.now.nanoseconds
            guard now >= nextPoll else { continue }
            if hasElementOrIsShutDown { return true }
            if now - start >= Self.lingerNanoseconds { return false }
            nextPoll = now + Self.lingerPollNanoseconds
        }
    }

    /// Records the element moved out after ``beginGet(until:)``: frees its block when it was
    /// the block's last, gives back room and wakes sleeping putters of a bounded queue.
    @usableFromInline
    func endGet(_ slot: FifoSlot) {
        if layout.finishRead(in: slot.block) { retire(slot.block) }
        if maxSize > 0 { giveRoom() }
    }

    /// What a consumer's claim found.
    enum HeadClaim {
        /// A slot, claimed (its element may still be being written).
        case claimed(FifoSlot)
        /// No element, and the queue is open.
        case empty
        /// No element, and the queue is shut down.
        case closed
    }

    /// Claims the slot at the head if the tail is past it.
    @inline(__always)
    func claimHead() -> HeadClaim {
        var backoff = FifoBackoff()
        var (index, block) = Self.read(head, headBlock)
        while true {
            let offset = Self.offset(of: index)
            if offset == FifoBlockLayout.slotCount {
                backoff.snooze()  // another consumer is moving the head to the next block
                (index, block) = Self.read(head, headBlock)
                continue
            }
            if index >= knownTail.pointee.load(ordering: .relaxed) {
                let seen = tail.pointee.load(ordering: .sequentiallyConsistent)
                if seen >> 1 == index >> 1 { return seen & Self.closedBit != 0 ? .closed : .empty }
                knownTail.pointee.store(seen & ~Self.closedBit, ordering: .relaxed)
            }
            let (claimed, current) = head.pointee.weakCompareExchange(
                expected: index, desired: index + Self.step,
                successOrdering: .sequentiallyConsistent, failureOrdering: .acquiring)
            if claimed {
                if offset + 1 == FifoBlockLayout.slotCount {
                    let next = layout.waitNext(of: block)
                    headBlock.pointee.store(next, ordering: .releasing)
                    head.pointee.store(index + 2 * Self.step, ordering: .releasing)
                }
                return .claimed(FifoSlot(block: block, offset: offset, layout: layout))
            }
            index = current
            block = headBlock.pointee.load(ordering: .acquiring)
            backoff.spin()
        }
    }

    /// Whether an element is there or the queue is shut down (sequentially consistent loads).
    private var hasElementOrIsShutDown: Bool {
        let taken = head.pointee.load(ordering: .sequentiallyConsistent)
        let put = tail.pointee.load(ordering: .sequentiallyConsistent)
        return put & Self.closedBit != 0 || Self.elements(before: put) != Self.elements(before: taken)
    }
}
