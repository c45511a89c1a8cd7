/// How ``SplitFifoCore`` lays elements out: a chain of fixed-size blocks, each a pointer to the
/// next block followed by `capacity` element slots.
///
/// The layout knows only sizes, never the element type, so the core stays non-generic; the
/// generic ``ThreadQueue`` moves elements in and out of the slots it is handed. Element `k`
/// (counting every element ever put) lives in slot `k % capacity` of the `k / capacity`-th
/// block: the producer end links a new block when it reaches a block boundary, the consumer
/// end frees a block when it leaves it. Slots are never reused, so the two ends never write
/// the same memory.
struct FifoBlockLayout: Sendable {
    /// Slots per block, a power of two.
    let capacity: Int
    /// Bytes from one slot to the next (the element's stride).
    let stride: Int
    /// Bytes from the block's start to its first slot.
    let slotsOffset: Int
    /// The block's alignment.
    let alignment: Int

    /// About this many bytes of slots per block (fewer slots for large elements).
    private static var targetBytes: Int { 4096 }

    /// The layout for elements of `stride` bytes aligned to `alignment`.
    init(stride: Int, alignment: Int) {
        let stride = max(stride, 1)
        var capacity = 16
        while capacity < 256 && capacity * 2 * stride <= Self.targetBytes { capacity *= 2 }
        self.capacity = capacity
        self.stride = stride
        self.alignment = max(alignment, MemoryLayout<UnsafeMutableRawPointer?>.alignment)
        let header = MemoryLayout<UnsafeMutableRawPointer?>.size
        slotsOffset = (header + self.alignment - 1) / self.alignment * self.alignment
    }

    /// A new block with no next block and uninitialized slots.
    func allocate() -> UnsafeMutableRawPointer {
        let block = UnsafeMutableRawPointer.allocate(byteCount: slotsOffset + capacity * stride, alignment: alignment)
        block.initializeMemory(as: UnsafeMutableRawPointer?.self, repeating: nil, count: 1)
        return block
    }

    /// The slot of element number `index` (counting every element ever put) in `block`,
    /// which must be that element's block.
    @inline(__always)
    func slot(_ index: Int, in block: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        block + slotsOffset + (index & (capacity - 1)) * stride
    }

    /// Whether element number `index` is the first of a block other than the first block.
    @inline(__always)
    func startsNewBlock(_ index: Int) -> Bool { index != 0 && index & (capacity - 1) == 0 }

    /// The block after `block`; nil until the producer end links one.
    @inline(__always)
    func next(of block: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        block.load(as: UnsafeMutableRawPointer?.self)
    }

    /// Links `successor` after `block`.
    @inline(__always)
    func link(_ block: UnsafeMutableRawPointer, to successor: UnsafeMutableRawPointer) {
        block.storeBytes(of: successor, as: UnsafeMutableRawPointer?.self)
    }
}
