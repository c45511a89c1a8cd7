import Synchronization

/// How ``ListFifoCore`` lays elements out: a chain of blocks, each a header line (the link to
/// the next block and a count of the slots read) followed by ``slotCount`` slots, each slot a
/// written flag and room for one element.
///
/// The layout knows only sizes, never the element type, so the core stays non-generic; the
/// generic ``ThreadQueue`` moves elements in and out of the slots it is handed. A slot's
/// producer initializes the element and then sets the flag; its consumer waits for the flag,
/// moves the element out and counts the slot read in the header. Whoever counts the last slot
/// frees the block; slots are never reused. So per element no word is written by both sides:
/// the slot's line goes from producer to consumer, the read count stays with the consumers.
struct FifoBlockLayout: Sendable {
    /// Positions per block in the core's indices: ``slotCount`` slots and one position that
    /// marks "the next block is being installed".
    static var lap: Int { 32 }
    /// Slots per block.
    static var slotCount: Int { lap - 1 }

    /// Bytes from one slot to the next.
    let slotStride: Int
    /// Bytes from a slot's start (its state word) to its element.
    let elementOffset: Int
    /// Bytes from the block's start to its first slot: the link has a cache line of its own.
    let slotsOffset: Int
    /// The block's alignment.
    let alignment: Int

    /// The layout for elements of `stride` bytes aligned to `alignment`.
    init(stride: Int, alignment: Int) {
        let elementAlignment = max(alignment, MemoryLayout<UInt32>.alignment)
        elementOffset = Self.roundUp(MemoryLayout<UInt32>.size, to: elementAlignment)
        slotStride = Self.roundUp(elementOffset + max(stride, 1), to: elementAlignment)
        let line = 64
        self.alignment = max(elementAlignment, line)
        slotsOffset = Self.roundUp(line, to: elementAlignment)
    }

    /// `value` rounded up to a multiple of `alignment`.
    private static func roundUp(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    /// Bytes from the block's start to its read count (after the link).
    private static var readCountOffset: Int { MemoryLayout<Atomic<UnsafeMutableRawPointer?>>.stride }

    /// A new block: no next block, every slot empty.
    func allocate() -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(
            byteCount: slotsOffset + Self.slotCount * slotStride, alignment: alignment)
        block.bindMemory(to: Atomic<UnsafeMutableRawPointer?>.self, capacity: 1).initialize(to: Atomic(nil))
        (block + Self.readCountOffset).bindMemory(to: Atomic<Int>.self, capacity: 1).initialize(to: Atomic(0))
        for offset in 0..<Self.slotCount {
            (block + slotsOffset + offset * slotStride).bindMemory(to: Atomic<UInt32>.self, capacity: 1)
                .initialize(to: Atomic(0))
        }
        return block
    }

    /// Makes a block whose slots were all read (``finishRead(in:)`` returned true) new again.
    func reset(_ block: UnsafeMutableRawPointer) {
        linkWord(block).pointee.store(nil, ordering: .relaxed)
        readCount(block).pointee.store(0, ordering: .relaxed)
        for offset in 0..<Self.slotCount { state(offset, in: block).pointee.store(0, ordering: .relaxed) }
    }

    /// The state word of slot `offset` of `block`.
    @inline(__always)
    func state(_ offset: Int, in block: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt32>> {
        (block + slotsOffset + offset * slotStride).assumingMemoryBound(to: Atomic<UInt32>.self)
    }

    /// The element of slot `offset` of `block`.
    @inline(__always)
    func element(_ offset: Int, in block: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        block + slotsOffset + offset * slotStride + elementOffset
    }

    // MARK: Links

    /// The word of `block` holding the link to the next block.
    @inline(__always)
    private func linkWord(_ block: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UnsafeMutableRawPointer?>> {
        block.assumingMemoryBound(to: Atomic<UnsafeMutableRawPointer?>.self)
    }

    /// Links `successor` after `block` (once, by the producer that took its last slot).
    @inline(__always)
    func link(_ block: UnsafeMutableRawPointer, to successor: UnsafeMutableRawPointer) {
        linkWord(block).pointee.store(successor, ordering: .releasing)
    }

    /// The block after `block`, once its producer has linked it (a short wait at most: the
    /// producer links it right after claiming the last slot).
    func waitNext(of block: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        var backoff = FifoBackoff()
        while true {
            if let next = linkWord(block).pointee.load(ordering: .acquiring) { return next }
            backoff.snooze()
        }
    }

    // MARK: Slot states

    /// Publishes the element a producer initialized in slot `offset` of `block`.
    @inline(__always)
    func markWritten(_ offset: Int, in block: UnsafeMutableRawPointer) {
        state(offset, in: block).pointee.store(1, ordering: .releasing)
    }

    /// Waits until the producer of slot `offset` of `block` has initialized its element (it
    /// claimed the slot already: a short wait at most).
    @inline(__always)
    func waitWritten(_ offset: Int, in block: UnsafeMutableRawPointer) {
        if state(offset, in: block).pointee.load(ordering: .acquiring) == 0 {
            waitWrittenSlow(state(offset, in: block))
        }
    }

    /// The wait of ``waitWritten(_:in:)`` once the flag was not set at the first look.
    @inline(never)
    private func waitWrittenSlow(_ state: UnsafeMutablePointer<Atomic<UInt32>>) {
        var backoff = FifoBackoff()
        while state.pointee.load(ordering: .acquiring) == 0 { backoff.snooze() }
    }

    /// Counts a slot of `block` read (its element moved out); returns whether that was the
    /// block's last slot to be read, which leaves the block to the caller.
    @inline(__always)
    func finishRead(in block: UnsafeMutableRawPointer) -> Bool {
        readCount(block).pointee.add(1, ordering: .acquiringAndReleasing).newValue == Self.slotCount
    }

    /// The word of `block` counting its slots read.
    @inline(__always)
    private func readCount(_ block: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<Int>> {
        (block + Self.readCountOffset).assumingMemoryBound(to: Atomic<Int>.self)
    }
}

/// Exponential backoff for the short waits of ``ListFifoCore``: a few rounds of doubling spin
/// pauses, then yielding the CPU (the thread being waited for may need it).
struct FifoBackoff {
    /// How many times the thread waited so far.
    private var step = 0

    /// Pauses a little longer each time; from the seventh call on, yields the CPU.
    mutating func snooze() {
        if step <= 6 {
            for _ in 0..<(1 << step) { CPU.relax() }
            step += 1
        } else {
            CPU.yield()
        }
    }

    /// Pauses a little longer each time, never yielding (after losing a race for an index).
    mutating func spin() {
        for _ in 0..<(1 << min(step, 6)) { CPU.relax() }
        if step <= 6 { step += 1 }
    }
}

/// A slot ``ListFifoCore`` handed out: its block, its place in the block and its element.
@usableFromInline
struct FifoSlot {
    /// The block holding the slot.
    let block: UnsafeMutableRawPointer
    /// The slot's place in its block.
    let offset: Int
    /// Where the element is (to be initialized by a put, moved out by a get).
    @usableFromInline let element: UnsafeMutableRawPointer

    init(block: UnsafeMutableRawPointer, offset: Int, layout: FifoBlockLayout) {
        self.block = block
        self.offset = offset
        element = layout.element(offset, in: block)
    }
}
