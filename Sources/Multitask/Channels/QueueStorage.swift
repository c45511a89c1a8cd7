import Synchronization
import SystemPackage

/// The shared-memory transport under ``Queue``: a multi-producer, multi-consumer FIFO of
/// variable-size byte messages in one anonymous segment, usable from every process that has
/// the segment mapped.
///
/// ## Layout
/// A one-page header, a table of block links, then 64 KiB blocks linked into a cycle.
/// Records (an 8-byte header with the length, then the payload padded to 8 bytes) follow
/// each other through the blocks; a payload may continue into the next block, so a message of
/// any size fits. Producers write at the tail, consumers read at the head; the blocks after
/// the tail block up to the head block are free and are reused in turn. When the producer's
/// next block is still being read, it links in another block (the file grows; the mapping was
/// reserved for the largest size up front, so nothing is remapped). So an unbounded queue
/// never blocks a producer for long (see `consumersLeave`), and memory grows only while
/// consumers lag; once the queue has stopped growing for a second, the producer unlinks free
/// blocks beyond 16 and returns their memory to the system.
///
/// ## Publication and crash safety
/// Producers take a process-shared producer lock, consumers a consumer lock, so producers
/// never contend with consumers. The tail is one 64-bit word: the number of messages ever
/// published (low half) and the write position (high half). A producer writes the whole
/// record, then publishes it with a single store of the tail; the head works the same way
/// for consumers. A process killed at any instant
/// therefore leaves either the old or the new tail (or head): a half-written record is never
/// visible and is overwritten by the next producer, a half-read one is read again by the next
/// consumer. The locks record their owner's pid; a waiter takes over the lock of a dead owner
/// within about 100 ms (see `MutexCore`). Every message whose `put` returned is delivered
/// exactly once, and no crash wedges the queue. Block links change only under the producer
/// lock, in an order where a crash can at worst orphan one unused block.
///
/// ## Untrusted memory
/// Every process holding the segment can write anything into it, so every value read from
/// it (positions, block numbers, links, lengths) is checked before use against what this
/// process knows is backed by the file (``knownFileSize``; the file is sealed against
/// shrinking, so that only grows) and against what the queue can hold; a violation throws
/// ``QueueError/corrupted(_:)`` before any access outside the queue's memory. Loops over
/// links are bounded by the number of blocks that can exist, and a spanning message's
/// length is checked against the bytes up to the tail before anything is allocated. On the
/// hot path each check is one compare with a process-local value.
///
/// ## Waiting
/// Consumers spin briefly, then sleep on the `notEmpty` event count; producers of a bounded
/// queue likewise on `notFull`. Counts are derived from the tail and head message numbers,
/// never kept separately, so a crash cannot skew them.
@usableFromInline
final class QueueStorage: @unchecked Sendable {
    // MARK: Layout constants

    static let blockSize = 64 * 1024
    static let headerSize = 4096
    /// The successor of each block, in a table apart from the blocks so that a free block's
    /// memory can be returned whole. Its pages are backed as block indices come into use.
    static let linksOffset = headerSize
    static let blocksOffset = linksOffset + Int(maxBlocks) * MemoryLayout<UInt32>.size
    static let initialBlocks: UInt32 = 4
    /// Free blocks beyond this many linked ones are unlinked and their memory returned,
    /// once the queue has not grown for ``trimDelay`` nanoseconds.
    static let retainedBlocks: UInt32 = 16
    static let trimDelay: Int64 = 1_000_000_000
    /// The mapping reserved for every queue: 65536 blocks, 4 GiB of queued bytes at most.
    static let maxBlocks: UInt32 = 1 << 16
    static let recordHeaderSize = 8
    private static let magic: UInt32 = 0x4D_54_51_31 // "MTQ1"

    // Header offsets: fields written by different sides sit on different cache lines.
    // Internal so that tests can corrupt them as a hostile peer would.
    enum Offset {
        static let magic = 0, maxSize = 4
        static let closed = 64
        static let producerLock = 128, allocatedBlocks = 132, cachedHeadCount = 136
        static let linkedBlocks = 140, freeBlocks = 144, headCountAtLastSwitch = 148, lastGrowth = 152
        static let producerCursor = 160
        static let tail = 192
        static let consumerLock = 256, cachedTailCount = 260
        static let head = 320
        static let notEmpty = 384
        static let notFull = 448
        static let tasksDone = 512
        static let tasksDoneEvent = 576
    }

    /// A read or write position: block index and byte offset in the block's data area,
    /// packed into 32 bits as `block << 14 | offset / 8` (the offset runs up to the block
    /// size inclusive: a position at the very end means "continue in the next block").
    struct Position: Equatable {
        var block: UInt32
        var offset: Int

        init(block: UInt32, offset: Int) {
            self.block = block
            self.offset = offset
        }

        init(packed: UInt32) {
            block = packed >> 14
            offset = Int(packed & 0x3FFF) << 3
        }

        var packed: UInt32 { block << 14 | UInt32(offset >> 3) }
    }

    /// The tail or head word: messages ever published (or consumed) and the position.
    struct Cursor {
        var count: UInt32
        var position: Position

        init(_ raw: UInt64) {
            count = UInt32(truncatingIfNeeded: raw)
            position = Position(packed: UInt32(truncatingIfNeeded: raw >> 32))
        }

        init(count: UInt32, position: Position) {
            self.count = count
            self.position = position
        }

        var raw: UInt64 { UInt64(position.packed) << 32 | UInt64(count) }
    }

    // MARK: State

    let segment: SharedMemory
    /// Bytes of the file this process has seen backed, at most the mapped length: blocks
    /// below it can be touched without `SIGBUS` for good, since the file cannot shrink.
    /// Refreshed (`fstat`) only when a block beyond it is met.
    private let knownFileSize: Atomic<Int>
    /// Largest number of messages held (0: unbounded).
    @usableFromInline let maxSize: Int
    private let base: UnsafeMutableRawPointer
    private let syncWords: SyncStorage
    let producerLock: MutexCore
    let consumerLock: MutexCore
    private let tail: UnsafeMutablePointer<Atomic<UInt64>>
    private let head: UnsafeMutablePointer<Atomic<UInt64>>
    private let closedWord: FutexWord
    let notEmpty: EventCount
    let notFull: EventCount
    let tasksDoneWord: FutexWord
    let tasksDoneEvent: EventCount

    /// Creates the storage of an empty queue holding at most `maxSize` messages (0: no limit);
    /// throws ``QueueError/resourcesExhausted(_:)`` when the system refuses the memory.
    convenience init(maxSize: Int) throws(QueueError) {
        usageCheck(maxSize >= 0 && maxSize < Int(Int32.max), "Queue maxSize must be in 0..<2^31")
        let segment: SharedMemory
        do {
            // The header and the first page of links, then the first blocks.
            segment = try SharedMemory(anonymousSize: Self.linksOffset + MemoryMapping.pageSize, mappedLength: Self.mappedLength, label: "multitask-queue")
            try segment.reserve(offset: Self.blocksOffset, length: Int(Self.initialBlocks) * Self.blockSize)
        } catch {
            throw .resourcesExhausted(error)
        }
        // The file is zero-filled; set what is not zero.
        let base = segment.bytes.baseAddress!
        base.storeBytes(of: UInt32(maxSize), toByteOffset: Offset.maxSize, as: UInt32.self)
        base.storeBytes(of: Self.initialBlocks, toByteOffset: Offset.allocatedBlocks, as: UInt32.self)
        base.storeBytes(of: Self.initialBlocks, toByteOffset: Offset.linkedBlocks, as: UInt32.self)
        for block in 0..<Self.initialBlocks {
            Self.setNext(of: block, to: (block + 1) % Self.initialBlocks, base: base)
        }
        base.storeBytes(of: Self.magic, toByteOffset: Offset.magic, as: UInt32.self)
        self.init(wiring: segment, fileSize: Self.blocksOffset + Int(Self.initialBlocks) * Self.blockSize)
    }

    /// The bytes every queue maps: header, links and ``maxBlocks`` blocks.
    static let mappedLength = blocksOffset + Int(maxBlocks) * blockSize

    /// The storage of an existing queue in `segment` (from a handle, adopted with at least
    /// the header and links backed); nil if the segment does not hold a queue.
    static func attached(to segment: SharedMemory) -> QueueStorage? {
        guard segment.isSealed, segment.bytes.count == mappedLength,
              let fileSize = try? segment.fileSize(), fileSize >= blocksOffset,
              segment.bytes.load(fromByteOffset: Offset.magic, as: UInt32.self) == magic
        else { return nil }
        return QueueStorage(wiring: segment, fileSize: fileSize)
    }

    private init(wiring segment: SharedMemory, fileSize: Int) {
        self.segment = segment
        knownFileSize = Atomic(min(fileSize, Self.mappedLength))
        let base = segment.bytes.baseAddress!
        self.base = base
        maxSize = Int(base.load(fromByteOffset: Offset.maxSize, as: UInt32.self))
        // One SyncStorage keeps the segment alive for every futex word in it.
        let words = base.assumingMemoryBound(to: Atomic<UInt32>.self)
        syncWords = SyncStorage(sharedWords: words, count: Self.headerSize / 4, owner: segment)
        producerLock = MutexCore(word: syncWords.word(Offset.producerLock / 4))
        consumerLock = MutexCore(word: syncWords.word(Offset.consumerLock / 4))
        closedWord = syncWords.word(Offset.closed / 4)
        notEmpty = EventCount(word: syncWords.word(Offset.notEmpty / 4))
        notFull = EventCount(word: syncWords.word(Offset.notFull / 4))
        tasksDoneWord = syncWords.word(Offset.tasksDone / 4)
        tasksDoneEvent = EventCount(word: syncWords.word(Offset.tasksDoneEvent / 4))
        tail = (base + Offset.tail).assumingMemoryBound(to: Atomic<UInt64>.self)
        head = (base + Offset.head).assumingMemoryBound(to: Atomic<UInt64>.self)
    }

    // MARK: Counts

    /// Messages ever published, and ever consumed (both wrap at 2^32).
    var publishedCount: UInt32 { UInt32(truncatingIfNeeded: tail.pointee.load(ordering: .sequentiallyConsistent)) }
    var consumedCount: UInt32 { UInt32(truncatingIfNeeded: head.pointee.load(ordering: .sequentiallyConsistent)) }

    /// Messages in the queue now (a snapshot).
    @usableFromInline var count: Int {
        let consumed = consumedCount
        return Int(publishedCount &- consumed)
    }

    /// The end state in the `closed` word: 0 open, 1 closed by ``close()``, any other value
    /// shut down by ``shutdown(immediate:)``. Once not 0, puts are refused.
    private static let closedState: UInt32 = 1, shutDownState: UInt32 = 2

    /// Whether ``close()`` or ``shutdown(immediate:)`` was called: puts are refused.
    var isEnded: Bool { closedWord.load() != 0 }

    /// Whether ``close()`` was called (and no shutdown since).
    var isClosed: Bool { closedWord.load() == Self.closedState }

    /// Whether ``shutdown(immediate:)`` was called.
    var isShutDown: Bool { isEnded && !isClosed }

    /// What a refused put, or a get from an empty ended queue, throws; nil while open.
    private var endError: QueueError? {
        switch closedWord.load() {
        case 0: nil
        case Self.closedState: .closed
        default: .shutDown
        }
    }

    // MARK: Put

    /// Appends one message with `payload`'s bytes.
    ///
    /// The deadline of a put or get. A non-blocking one waits only for the queue's internal
    /// lock, and that for at most ``nonBlockingLockWait``: enough for another process's short
    /// critical section or the take-over of a dead holder's lock, not forever for a lock word
    /// a hostile peer set to a live process.
    private static func deadline(timeout: Duration?, blocking: Bool) -> Deadline? {
        if let timeout { return .timeout(timeout, of: "Queue.put/get(timeout:)") }
        return blocking ? nil : .after(nonBlockingLockWait)
    }

    static let nonBlockingLockWait = Duration.seconds(1)

    /// When `blocking`, waits for room in a bounded queue for at most `timeout` (nil:
    /// forever); throws `.full` when it passes (at once when not `blocking`) or when the 4 GiB
    /// of storage are exhausted, `.closed` after `close()`, `.shutDown` after `shutdown`. Not
    /// generic, so that the generic
    /// layer above stays thin whether or not it is specialized.
    @usableFromInline
    func put(_ payload: UnsafeRawBufferPointer, timeout: Duration?, blocking: Bool) throws(QueueError) {
        let deadline = Self.deadline(timeout: timeout, blocking: blocking)
        while true {
            guard lockProducers(until: deadline) else { throw .full }
            if let error = endError {
                _ = producerLock.unlock()
                throw error
            }
            let tailNow = Cursor(base.load(fromByteOffset: Offset.producerCursor, as: UInt64.self))
            do {
                try check(tailNow.position, "tail")
            } catch {
                _ = producerLock.unlock()
                throw error
            }
            if maxSize > 0 && !hasRoom(after: tailNow.count) {
                _ = producerLock.unlock()
                guard blocking else { throw .full }
                try waitForRoom(until: deadline)
                continue
            }
            let end: Position
            do {
                end = try write(payload, at: tailNow.position)
            } catch {
                _ = producerLock.unlock()
                throw error
            }
            let published = Cursor(count: tailNow.count &+ 1, position: end).raw
            base.storeBytes(of: published, toByteOffset: Offset.producerCursor, as: UInt64.self)
            tail.pointee.store(published, ordering: .sequentiallyConsistent)
            _ = producerLock.unlock()
            notEmpty.signal()
            return
        }
    }

    /// Takes the producer lock; returns `false` on timeout.
    ///
    /// Producers keep their own copy of the tail on a cache line consumers never read, so
    /// a put does not miss on the line consumers poll. The copy equals the tail whenever the
    /// lock is free, except after a producer died holding it: the acquirer that takes the
    /// lock over (always told so) resets the copy from the published tail.
    @inline(__always)
    private func lockProducers(until deadline: Deadline?) -> Bool {
        switch producerLock.acquire(until: deadline) {
        case .acquired:
            return true
        case .ownerDied:
            base.storeBytes(of: tail.pointee.load(ordering: .acquiring), toByteOffset: Offset.producerCursor, as: UInt64.self)
            return true
        case .timedOut:
            return false
        }
    }

    /// Whether a bounded queue has room for one more message; caller holds the producer lock.
    @inline(__always)
    private func hasRoom(after published: UInt32) -> Bool {
        let cached = base.load(fromByteOffset: Offset.cachedHeadCount, as: UInt32.self)
        if Int(published &- cached) < maxSize { return true }
        let consumed = consumedCount
        base.storeBytes(of: consumed, toByteOffset: Offset.cachedHeadCount, as: UInt32.self)
        return Int(published &- consumed) < maxSize
    }

    private func waitForRoom(until deadline: Deadline?) throws(QueueError) {
        let roomOrClosed = { self.count < self.maxSize || self.isEnded }
        if Spin.until(budget: Spin.signalBudget, roomOrClosed) { return }
        if !notFull.wait(until: deadline, unless: roomOrClosed) { throw .full }
    }

    /// Writes a record at `start` (a checked position); returns the position after it. Caller
    /// holds the producer lock.
    private func write(_ payload: UnsafeRawBufferPointer, at start: Position) throws(QueueError) -> Position {
        var position = start
        try enterNextBlockIfAtEnd(&position)
        let data = blockData(position.block)
        data.storeBytes(of: UInt64(payload.count), toByteOffset: position.offset, as: UInt64.self)
        position.offset += Self.recordHeaderSize
        var source = payload.baseAddress
        var remaining = payload.count
        while remaining > 0 {
            try enterNextBlockIfAtEnd(&position)
            let n = min(remaining, Self.blockSize - position.offset)
            (blockData(position.block) + position.offset).copyMemory(from: source!, byteCount: n)
            position.offset += n
            source! += n
            remaining -= n
        }
        position.offset = (position.offset + 7) & ~7
        return position
    }

    /// Moves a write position at the end of a block to the start of the next one, reusing the
    /// following block when consumers are done with it, else linking in a new one.
    @inline(__always)
    private func enterNextBlockIfAtEnd(_ position: inout Position) throws(QueueError) {
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
    private func producerNextBlock(after current: UInt32) throws(QueueError) -> UInt32 {
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
    private func consumersLeave(_ block: UInt32) -> UInt32? {
        var cursor = Cursor(head.pointee.load(ordering: .acquiring))
        let countAtLastSwitch = producerField(Offset.headCountAtLastSwitch)
        setProducerField(Offset.headCountAtLastSwitch, cursor.count)
        if cursor.position.block != block { return cursor.position.block }
        if cursor.count == countAtLastSwitch { return nil }
        let giveUp = Deadline.now.nanoseconds + Self.elasticWait
        var lastCount = cursor.count
        var stalled = 0
        while true {
            _ = Spin.until(budget: 1_000) { false }
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
    /// Checks (32 pauses apart) without head progress after which consumers count as stalled.
    static let stalledChecks = 16

    /// After a burst, gives back the memory of free blocks following `block` until at most
    /// `retainedBlocks` stay linked: each is unlinked, its memory is returned to the system,
    /// and it goes on the free list.
    ///
    /// Only once the queue has not grown for a while: a stream whose consumers fall behind
    /// now and then (descheduled on a busy machine) would otherwise return and re-fault the
    /// same memory on every hiccup, which costs more than the copying itself.
    private func releaseFreeBlocks(after block: UInt32, headBlock: UInt32) throws(QueueError) {
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
    private func producerField(_ offset: Int) -> UInt32 { base.load(fromByteOffset: offset, as: UInt32.self) }

    @inline(__always)
    private func setProducerField(_ offset: Int, _ value: UInt32) { base.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }

    // MARK: Get

    /// Removes the oldest message and passes its bytes (valid only during the call) to
    /// `read`. The message is consumed even when `read` throws, and the error rethrown.
    ///
    /// When `blocking`, waits at most `timeout` (nil: forever) while the queue is empty and
    /// throws `.empty` then (at once when not `blocking`); throws `.closed` (or `.shutDown`)
    /// once the queue is closed (or shut down) and empty.
    @usableFromInline
    func get(timeout: Duration?, blocking: Bool, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) {
        let deadline = Self.deadline(timeout: timeout, blocking: blocking)
        while true {
            guard consumerLock.acquire(until: deadline) != .timedOut else { throw .empty }
            let headNow = Cursor(head.pointee.load(ordering: .relaxed))
            if hasMessage(after: headNow.count) {
                var position = headNow.position
                var failure: QueueError?
                do {
                    try readRecord(at: &position, read)
                } catch .corrupted(let what) {
                    // The head stays where it was: nothing was read.
                    _ = consumerLock.unlock()
                    throw .corrupted(what)
                } catch {
                    failure = error
                }
                let published = Cursor(count: headNow.count &+ 1, position: position).raw
                if maxSize > 0 {
                    head.pointee.store(published, ordering: .sequentiallyConsistent)
                    _ = consumerLock.unlock()
                    notFull.signal()
                } else {
                    head.pointee.store(published, ordering: .releasing)
                    _ = consumerLock.unlock()
                }
                if let failure { throw failure }
                return
            }
            _ = consumerLock.unlock()
            if let error = endError, count == 0 { throw error }
            guard blocking else { throw .empty }
            try waitForMessage(after: headNow.count, until: deadline)
        }
    }

    /// Whether a message follows `consumed`; caller holds the consumer lock.
    @inline(__always)
    private func hasMessage(after consumed: UInt32) -> Bool {
        if base.load(fromByteOffset: Offset.cachedTailCount, as: UInt32.self) != consumed { return true }
        let published = UInt32(truncatingIfNeeded: tail.pointee.load(ordering: .acquiring))
        base.storeBytes(of: published, toByteOffset: Offset.cachedTailCount, as: UInt32.self)
        return published != consumed
    }

    private func waitForMessage(after consumed: UInt32, until deadline: Deadline?) throws(QueueError) {
        let arrived = { self.publishedCount != consumed || self.consumedCount != consumed || self.isEnded }
        if Spin.until(budget: Spin.signalBudget, arrived) { return }
        if !notEmpty.wait(until: deadline, unless: arrived) { throw .empty }
    }

    /// Reads the record at `position` (the head, unchecked) and advances it; caller holds the
    /// consumer lock. Throws ``QueueError/corrupted(_:)`` before `read` for a bad position or
    /// length.
    @inline(__always)
    private func readRecord(at position: inout Position, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) {
        try check(position, "head")
        if position.offset == Self.blockSize {
            position = Position(block: try nextBlock(after: position.block), offset: 0)
        }
        let data = blockData(position.block)
        let rawLength = data.load(fromByteOffset: position.offset, as: UInt64.self)
        position.offset += Self.recordHeaderSize
        if rawLength > UInt64(Self.blockSize - position.offset) {
            try readSpanning(rawLength: rawLength, at: &position, read)
            return
        }
        let length = Int(rawLength)
        defer { position.offset = (position.offset + length + 7) & ~7 }
        try read(UnsafeRawBufferPointer(start: data + position.offset, count: length))
    }

    /// A payload that continues into later blocks: gathered into a temporary buffer, once its
    /// length is checked against the bytes up to the tail.
    @inline(never)
    private func readSpanning(rawLength: UInt64, at position: inout Position, _ read: (UnsafeRawBufferPointer) throws(QueueError) -> Void) throws(QueueError) {
        let length = try checkedSpan(rawLength, from: position)
        try withUnsafeTemporaryAllocation(byteCount: length, alignment: 16) { (buffer: UnsafeMutableRawBufferPointer) throws(QueueError) in
            var copied = 0
            while copied < length {
                if position.offset == Self.blockSize {
                    // Links may change under us since the span check: each is checked again.
                    position = Position(block: try nextBlock(after: position.block), offset: 0)
                }
                let n = min(length - copied, Self.blockSize - position.offset)
                (buffer.baseAddress! + copied).copyMemory(from: blockData(position.block) + position.offset, byteCount: n)
                position.offset += n
                copied += n
            }
            position.offset = (position.offset + 7) & ~7
            try read(UnsafeRawBufferPointer(buffer))
        }
    }

    /// `rawLength` as a byte count, after checking that so many bytes from `start` (a checked
    /// position) lie in linked blocks before the tail, following at most ``maxBlocks`` links.
    private func checkedSpan(_ rawLength: UInt64, from start: Position) throws(QueueError) -> Int {
        guard rawLength <= UInt64(Self.maxBlocks) * UInt64(Self.blockSize) else {
            throw .corrupted("a message length of \(rawLength) bytes")
        }
        let length = Int(rawLength)
        let tailPosition = Cursor(tail.pointee.load(ordering: .acquiring)).position
        var position = start
        var remaining = length
        for _ in 0...Self.maxBlocks {
            let stop = position.block == tailPosition.block ? tailPosition.offset : Self.blockSize
            if position.offset <= stop && remaining <= stop - position.offset { return length }
            if position.block == tailPosition.block { break }
            remaining -= Self.blockSize - position.offset
            position = Position(block: try nextBlock(after: position.block), offset: 0)
        }
        throw .corrupted("a message of \(length) bytes runs past the tail")
    }

    // MARK: Close

    /// Closes the queue for every process: later puts throw `.closed`; gets drain what is left,
    /// then throw `.closed`. Waiting producers and consumers wake up.
    func close() {
        // Under the producer lock, so no put can publish after a consumer saw `closed`.
        _ = lockProducers(until: nil)
        if closedWord.load() == 0 { closedWord.store(Self.closedState) }
        _ = producerLock.unlock()
        notEmpty.signalAlways()
        notFull.signalAlways()
    }

    /// Shuts the queue down for every process (Python 3.13's `shutdown`): later puts throw
    /// `.shutDown`; gets drain what is left, then throw `.shutDown`. With `immediate`, what is
    /// left is discarded first, each discarded message finishing its task. Waiting producers
    /// and consumers wake up. A closed queue becomes shut down.
    func shutdown(immediate: Bool) {
        // Under the producer lock, as for `close`: nothing is published after the state
        // changed, so a discard below leaves the queue empty for good.
        _ = lockProducers(until: nil)
        closedWord.store(Self.shutDownState)
        if immediate { discardAll() }
        _ = producerLock.unlock()
        notEmpty.signalAlways()
        notFull.signalAlways()
    }

    /// Consumes every published message without reading it (caller holds the producer lock):
    /// the head jumps to the tail in one store, as if a consumer had read them all, and their
    /// tasks count as done.
    private func discardAll() {
        _ = consumerLock.acquire(until: nil)
        let tailNow = tail.pointee.load(ordering: .acquiring)
        let discarded = UInt32(truncatingIfNeeded: tailNow) &- consumedCount
        base.storeBytes(of: UInt32(truncatingIfNeeded: tailNow), toByteOffset: Offset.cachedTailCount, as: UInt32.self)
        head.pointee.store(tailNow, ordering: .sequentiallyConsistent)
        _ = consumerLock.unlock()
        finishTasks(discarded)
    }

    // MARK: Tasks (JoinableQueue)

    /// Records one finished task; returns `false` if there was no unfinished task.
    func taskDone() -> Bool { finishTasks(1) == 1 }

    /// Records up to `count` finished tasks, never more than were put; returns how many.
    @discardableResult
    private func finishTasks(_ count: UInt32) -> UInt32 {
        var done = tasksDoneWord.load()
        while true {
            let recorded = min(count, publishedCount &- done)
            guard recorded > 0 else { return 0 }
            let (exchanged, original) = tasksDoneWord.pointer.pointee.compareExchange(
                expected: done, desired: done &+ recorded, ordering: .sequentiallyConsistent)
            if exchanged {
                tasksDoneEvent.signal()
                return recorded
            }
            done = original
        }
    }

    /// Messages put and not yet marked done.
    var unfinishedTaskCount: Int { Int(publishedCount &- tasksDoneWord.pointer.pointee.load(ordering: .sequentiallyConsistent)) }

    /// Waits until every message put so far has been marked done; `false` on timeout.
    func join(until deadline: Deadline?) -> Bool {
        let finished = { self.unfinishedTaskCount == 0 }
        while !finished() {
            if Spin.until(budget: Spin.signalBudget, finished) { return true }
            if !tasksDoneEvent.wait(until: deadline, unless: finished) { return finished() }
        }
        return true
    }

    /// Writes what a producer killed in the middle of a put leaves behind (caller holds the
    /// producer lock): a garbage record after the tail and an advanced private tail copy.
    func scribbleUnpublishedRecordForTesting() {
        let cursor = Cursor(base.load(fromByteOffset: Offset.producerCursor, as: UInt64.self))
        let data = blockData(cursor.position.block) + cursor.position.offset
        data.storeBytes(of: UInt64(1 << 40), as: UInt64.self)
        var advanced = cursor
        advanced.count &+= 7
        advanced.position.offset += 64
        base.storeBytes(of: advanced.raw, toByteOffset: Offset.producerCursor, as: UInt64.self)
    }

    // MARK: Blocks

    @inline(__always)
    private static func blockOffset(_ block: UInt32) -> Int { blocksOffset + Int(block) * blockSize }

    @inline(__always)
    private static func linkOffset(_ block: UInt32) -> Int { linksOffset + Int(block) * MemoryLayout<UInt32>.size }

    /// The data of a checked block.
    @inline(__always)
    private func blockData(_ block: UInt32) -> UnsafeMutableRawPointer { base + Self.blockOffset(block) }

    /// `block`, after checking that it is a block of the mapping backed by the file; `what`
    /// names where it was read, for the error.
    @inline(__always)
    private func checked(block: UInt32, _ what: @autoclosure () -> String) throws(QueueError) -> UInt32 {
        if Self.blockOffset(block) + Self.blockSize > knownFileSize.load(ordering: .relaxed) {
            try refreshFileSize(toCover: block, what())
        }
        return block
    }

    /// Learns the file's size when `block` lies beyond the part known to be backed (another
    /// process grew the file); throws if it is still beyond, or outside the mapping.
    @inline(never)
    private func refreshFileSize(toCover block: UInt32, _ what: String) throws(QueueError) {
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
    private func check(_ position: Position, _ what: @autoclosure () -> String) throws(QueueError) {
        guard position.offset <= Self.blockSize else {
            throw .corrupted("\(what()): offset \(position.offset), beyond a \(Self.blockSize)-byte block")
        }
        _ = try checked(block: position.block, what())
    }

    /// The block linked after `block` (a checked one), checked.
    @inline(__always)
    private func nextBlock(after block: UInt32) throws(QueueError) -> UInt32 {
        try checked(block: Self.next(of: block, base: base), "link of block \(block)")
    }

    @inline(__always)
    private static func next(of block: UInt32, base: UnsafeMutableRawPointer) -> UInt32 {
        base.load(fromByteOffset: linkOffset(block), as: UInt32.self)
    }

    private static func setNext(of block: UInt32, to next: UInt32, base: UnsafeMutableRawPointer) {
        base.storeBytes(of: next, toByteOffset: linkOffset(block), as: UInt32.self)
    }
}
