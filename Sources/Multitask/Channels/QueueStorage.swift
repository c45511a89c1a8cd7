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
/// Producers take a process-shared producer lock, so producers never contend with
/// consumers. The tail is one 64-bit word: the number of messages ever published (low half)
/// and the write position (high half). A producer writes the whole record, then publishes it
/// with a single store of the tail. Consumers take no lock: each reads the record at the
/// head it loaded and claims it with one compare-and-exchange of the head word (same
/// layout), so exactly one of several racing consumers gets each message (`QueueReceiving`).
/// A process killed at any instant therefore leaves either the old or the new tail (or
/// head): a half-written record is never visible and is overwritten by the next producer, a
/// half-read one is read again by the next consumer. The producer lock records its owner's
/// pid; a waiter takes over the lock of a dead owner within about 100 ms (see `MutexCore`).
/// The consumer lock word is only a gate: gets wait while it is held (by a process that
/// lives), and take it over from a dead holder the same way. Every message whose `put` returned is delivered
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
/// never kept separately, so a crash cannot skew them. A consumer right behind a producer
/// that is still publishing holds back for a moment (`QueueDistance`), so that the two do
/// not fight over the same cache lines.
///
/// ## Parts
/// This file holds the state and `put` with its publication; the rest is in
/// `QueueReceiving` (the consumers' `take` and its entries: `get`, and `getWord` for 8-byte values),
/// `QueueLayout` (constants, offsets, packed words), `QueueBlockChain` (the block cycle and
/// the checks on what is read from shared memory), `QueueRecords` (record I/O),
/// `QueueWaiting` (the three waits), `QueueDistance` (a consumer keeping its distance),
/// `QueueTaskCounter` (`task_done`/`join`) and `QueueEnding` (`close`/`shutdown`).
@usableFromInline
// @unchecked: every property is immutable; the shared words and ring behind the pointers are atomics, guarded by the producer lock, or read by consumers before an atomic claim (QueueReceiving).
final class QueueStorage: @unchecked Sendable {
    // MARK: State

    let segment: SharedMemory
    /// Bytes of the file this process has seen backed, at most the mapped length: blocks
    /// below it can be touched without `SIGBUS` for good, since the file cannot shrink.
    /// Refreshed (`fstat`) only when a block beyond it is met.
    let knownFileSize: Atomic<Int>
    /// Largest number of messages held (0: unbounded).
    @usableFromInline let maxSize: Int
    let base: UnsafeMutableRawPointer
    private let syncWords: SyncStorage
    let producerLock: MutexCore
    let consumerLock: MutexCore
    let tail: UnsafeMutablePointer<Atomic<UInt64>>
    let head: UnsafeMutablePointer<Atomic<UInt64>>
    let closedWord: FutexWord
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
            segment.prefault(offset: Self.blocksOffset, length: Int(Self.initialBlocks) * Self.blockSize)
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

    // MARK: Put

    /// The deadline of a put or get. A non-blocking one waits only for the queue's internal
    /// lock, and that for at most ``nonBlockingLockWait``: enough for another process's short
    /// critical section or the take-over of a dead holder's lock, not forever for a lock word
    /// a hostile peer set to a live process.
    static func deadline(timeout: Duration?, blocking: Bool) -> Deadline? {
        if let timeout { return .timeout(timeout, of: "Queue.put/get(timeout:)") }
        return blocking ? nil : .after(nonBlockingLockWait)
    }

    static let nonBlockingLockWait = Duration.seconds(1)

    /// Appends one message with `payload`'s bytes.
    ///
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
            // A release store, not a sequentially consistent one: that would be a second
            // full barrier per put (a third of a small put's time). The unlock orders it
            // against the sleeping consumer instead (see `waitForMessage`).
            tail.pointee.store(published, ordering: .releasing)
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
    func lockProducers(until deadline: Deadline?) -> Bool {
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
}
