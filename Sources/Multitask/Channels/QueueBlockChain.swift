/// The cycle of blocks a queue's records run through: where a producer continues after a
/// full block (reusing a free one, or linking in another), giving memory back after a burst,
/// and the checks every block number and position read from shared memory passes before
/// use (a hostile peer may have written anything there).
extension QueueStorage {
    /// Moves a write position at the end of a block to the start of the next one, reusing the
    /// following block when consumers are done with it, else linking in a new one.
    @inline(__always)
    func enterNextBlockIfAtEnd(_ position: inout Position) throws(QueueError) {
        guard position.offset == Self.blockSize else { return }
        position = Position(block: try producerNextBlock(after: position.block), offset: 0)
    }

    /// The block a producer continues in after `current`; caller holds the producer lock.
    ///
    /// Blocks from the head block up to `current` hold unread records; the ones after
    /// `current`, up to the head block, are free. Reuses the next block when it is free;
    /// otherwise links in one from the free list or a new one. Every link change is a single
    /// store, ordered so that a crash at any point at worst orphans one unused block.
    @inline(never)
    func producerNextBlock(after current: UInt32) throws(QueueError) -> UInt32 {
        let following = try nextBlock(after: current)
        if let headBlock = consumersLeave(following) {
            try releaseFreeBlocks(after: following, headBlock: headBlock)
            return following
        }
        let block: UInt32
        let freeHead = producerField(Offset.freeBlocks)
        if freeHead != 0 {
            // A free block was linked before, so its memory lies in the file.
            block = try checked(block: freeHead - 1, "free list head")
            setProducerField(Offset.freeBlocks, Self.next(of: block, base: base))
        } else {
            block = producerField(Offset.allocatedBlocks)
            guard block < Self.maxBlocks else { throw .full }
            // Count the block first: a crash below then orphans it instead of linking it twice.
            setProducerField(Offset.allocatedBlocks, block + 1)
            do {
                try segment.reserve(offset: Self.linkOffset(block), length: MemoryLayout<UInt32>.size)
            } catch {
                throw .full
            }
        }
        do {
            // Backs the block with memory (again, for a block whose memory was returned).
            try segment.reserve(offset: Self.blockOffset(block), length: Self.blockSize)
        } catch {
            throw .full
        }
        // The producer writes the whole block next: one call maps its 16 pages, instead of 16
        // page faults inside puts (about a microsecond each).
        segment.prefault(offset: Self.blockOffset(block), length: Self.blockSize)
        knownFileSize.max(Self.blockOffset(block) + Self.blockSize, ordering: .relaxed)
        Self.setNext(of: block, to: following, base: base)
        Self.setNext(of: current, to: block, base: base)
        setProducerField(Offset.linkedBlocks, producerField(Offset.linkedBlocks) &+ 1)
        base.storeBytes(of: Deadline.now.nanoseconds, toByteOffset: Offset.lastGrowth, as: Int64.self)
        return block
    }

    /// The head block once it is not `block` (so `block` is free), or nil if consumers are
    /// still reading `block` and not making progress.
    ///
    /// Elastic growth: when consumers are actively draining the block the producer needs
    /// next, waiting a few microseconds for them beats linking in fresh memory — the queue
    /// stays small and in cache, and memory does not balloon while a consumer keeps up but
    /// is a little slower than the producer. There is no wait when consumers took nothing
    /// while the producer filled its last block (none running, or a fill-then-drain pattern);
    /// the wait ends as soon as they stall (the head stops moving for a moment) and is capped
    /// at ``elasticWait``, so a put on an unbounded queue never waits for a consumer that is
    /// not consuming.
    func consumersLeave(_ block: UInt32) -> UInt32? {
        var cursor = Cursor(head.pointee.load(ordering: .acquiring))
        let countAtLastSwitch = producerField(Offset.headCountAtLastSwitch)
        setProducerField(Offset.headCountAtLastSwitch, cursor.count)
        if cursor.position.block != block { return cursor.position.block }
        if cursor.count == countAtLastSwitch { return nil }
        let giveUp = Deadline.now.nanoseconds + Self.elasticWait
        var lastCount = cursor.count
        var stalled = 0
        while true {
            _ = Spin.until(budget: Self.elasticPollInterval) { false }
            cursor = Cursor(head.pointee.load(ordering: .acquiring))
            if cursor.position.block != block { return cursor.position.block }
            if cursor.count != lastCount {
                lastCount = cursor.count
                stalled = 0
            } else {
                stalled += 1
                if stalled > Self.stalledChecks { return nil }
            }
            if Deadline.now.nanoseconds > giveUp { return nil }
        }
    }

    /// The longest a producer waits for consumers to free its next block (nanoseconds).
    static let elasticWait: Int64 = 200_000
    /// How long a waiting producer leaves the head alone between two looks (nanoseconds).
    /// Each look takes the head's cache line from the consumer, whose next publication then
    /// waits for it: a streaming consumer lost about 3% to looks 1 µs apart.
    static let elasticPollInterval: Int64 = 4_000
    /// Looks without head progress after which consumers count as stalled (16 µs).
    static let stalledChecks = 4

    /// After a burst, gives back the memory of free blocks following `block` until at most
    /// `retainedBlocks` stay linked: each is unlinked, its memory is returned to the system,
    /// and it goes on the free list.
    ///
    /// Only once the queue has not grown for a while: a stream whose consumers fall behind
    /// now and then (descheduled on a busy machine) would otherwise return and re-fault the
    /// same memory on every hiccup, which costs more than the copying itself.
    func releaseFreeBlocks(after block: UInt32, headBlock: UInt32) throws(QueueError) {
        var linked = producerField(Offset.linkedBlocks)
        guard linked > Self.retainedBlocks else { return }
        let lastGrowth = base.load(fromByteOffset: Offset.lastGrowth, as: Int64.self)
        guard Deadline.now.nanoseconds &- lastGrowth > Self.trimDelay else { return }
        // No more blocks than can exist are ever unlinked, whatever the shared count says.
        var steps = Self.maxBlocks
        while linked > Self.retainedBlocks && steps > 0 {
            steps -= 1
            let spare = try nextBlock(after: block)
            if spare == headBlock || spare == block { return }
            Self.setNext(of: block, to: Self.next(of: spare, base: base), base: base)
            linked -= 1
            setProducerField(Offset.linkedBlocks, linked)
            try? segment.discard(offset: Self.blockOffset(spare), length: Self.blockSize)
            Self.setNext(of: spare, to: producerField(Offset.freeBlocks), base: base)
            setProducerField(Offset.freeBlocks, spare + 1)
        }
    }

    /// Producer-side header fields, guarded by the producer lock.
    @inline(__always)
    func producerField(_ offset: Int) -> UInt32 { base.load(fromByteOffset: offset, as: UInt32.self) }

    @inline(__always)
    func setProducerField(_ offset: Int, _ value: UInt32) { base.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }

    /// The data of a checked block.
    @inline(__always)
    func blockData(_ block: UInt32) -> UnsafeMutableRawPointer { base + Self.blockOffset(block) }

    /// `block`, after checking that it is a block of the mapping backed by the file; `what`
    /// names where it was read, for the error.
    @inline(__always)
    func checked(block: UInt32, _ what: @autoclosure () -> String) throws(QueueError) -> UInt32 {
        if Self.blockOffset(block) + Self.blockSize > knownFileSize.load(ordering: .relaxed) {
            try refreshFileSize(toCover: block, what())
        }
        return block
    }

    /// Learns the file's size when `block` lies beyond the part known to be backed (another
    /// process grew the file); throws if it is still beyond, or outside the mapping.
    @inline(never)
    func refreshFileSize(toCover block: UInt32, _ what: String) throws(QueueError) {
        let end = Self.blockOffset(block) + Self.blockSize
        guard block < Self.maxBlocks else {
            throw .corrupted("\(what): block \(block), beyond the \(Self.maxBlocks) a queue has")
        }
        let size = (try? segment.fileSize()) ?? 0
        knownFileSize.max(min(size, Self.mappedLength), ordering: .relaxed)
        guard size >= end else {
            throw .corrupted("\(what): block \(block), beyond the \(size)-byte file")
        }
    }

    /// Checks a position read from shared memory: its offset within a block, its block backed.
    @inline(__always)
    func check(_ position: Position, _ what: @autoclosure () -> String) throws(QueueError) {
        guard position.offset <= Self.blockSize else {
            throw .corrupted("\(what()): offset \(position.offset), beyond a \(Self.blockSize)-byte block")
        }
        _ = try checked(block: position.block, what())
    }

    /// The block linked after `block` (a checked one), checked.
    @inline(__always)
    func nextBlock(after block: UInt32) throws(QueueError) -> UInt32 {
        try checked(block: Self.next(of: block, base: base), "link of block \(block)")
    }
}
