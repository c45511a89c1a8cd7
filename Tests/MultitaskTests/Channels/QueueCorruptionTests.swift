import Glibc
import Testing
@testable import Multitask

/// The shared memory of a queue is hostile input: any process holding it may write anything.
/// These tests write garbage into a queue from fork children (a hostile peer's own mapping)
/// and check that this process never crashes, never reads or writes outside the queue's
/// memory, never hangs and never allocates without bound: every operation returns, throws
/// ``QueueError``, or delivers (possibly wrong) messages.
@Suite("Queue: shared memory is hostile input", .timeLimit(.minutes(2)))
struct QueueCorruptionTests {
    typealias Offset = QueueStorage.Offset

    /// A queue with `messages` small messages and one spanning several blocks, so that links
    /// and record headers are in use.
    static func filledQueue(messages: Int = 4) throws -> Queue<[UInt8]> {
        let queue = try Queue<[UInt8]>()
        for i in 0..<messages { try queue.put([UInt8](repeating: UInt8(i), count: 8 + i * 40)) }
        try queue.put([UInt8](repeating: 7, count: 100_000))
        return queue
    }

    static func base(of queue: Queue<[UInt8]>) -> UnsafeMutableRawPointer { queue.storage.segment.bytes.baseAddress! }

    /// The byte offset of `block`'s data in the segment.
    static func blockStart(_ block: Int) -> Int { QueueStorage.blocksOffset + block * QueueStorage.blockSize }

    /// Runs `operation` and expects it to throw ``QueueError/corrupted(_:)``.
    static func expectCorrupted<Result>(_ operation: () throws(QueueError) -> Result, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try operation()
            Issue.record("no error: the corruption went unnoticed", sourceLocation: sourceLocation)
        } catch .corrupted {
        } catch {
            Issue.record("threw \(error), not .corrupted", sourceLocation: sourceLocation)
        }
    }

    @Test("a head position in a block past the end of the file: get throws .corrupted, and so does a blocking get")
    func headPastEnd() throws {
        let queue = try Self.filledQueue()
        let head = Self.base(of: queue).load(fromByteOffset: Offset.head, as: UInt64.self)
        let hostile = head & 0xFFFF_FFFF | UInt64(0x3FFFF << 14) << 32
        #expect(HostilePeer.store(hostile, at: Offset.head, in: Self.base(of: queue)) == .exited(0))
        Self.expectCorrupted { () throws(QueueError) in try queue.get(timeout: .seconds(5)) }
        Self.expectCorrupted { () throws(QueueError) in try queue.get() }
        Self.expectCorrupted { () throws(QueueError) in try queue.tryGet() }
    }

    @Test("internal lock words set to a live process: tryPut and tryGet give up within about a second")
    func internalLocksHeld() throws {
        let queue = try Self.filledQueue()
        // The parent of this process is alive and never releases these words.
        for offset in [Offset.producerLock, Offset.consumerLock] {
            #expect(HostilePeer.store(UInt32(getppid()), at: offset, in: Self.base(of: queue)) == .exited(0))
        }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try queue.tryPut([1]) == false)
        #expect(try queue.tryGet() == nil)
        #expect(clock.now - start < .seconds(10))
        #expect(clock.now - start >= QueueStorage.nonBlockingLockWait * 2)
    }

    @Test("a tail position beyond its block, or in a block past the end: put throws .corrupted")
    func tailOutOfRange() throws {
        let queue = try Self.filledQueue()
        let cursor = Self.base(of: queue).load(fromByteOffset: Offset.producerCursor, as: UInt64.self)
        let offsetTooLarge = cursor & 0xFFFF_FFFF | UInt64(0x3FFF) << 32
        #expect(HostilePeer.store(offsetTooLarge, at: Offset.producerCursor, in: Self.base(of: queue)) == .exited(0))
        Self.expectCorrupted { () throws(QueueError) in try queue.put([1, 2, 3], timeout: .seconds(5)) }
        let blockPastEnd = cursor & 0xFFFF_FFFF | UInt64(1000 << 14) << 32
        #expect(HostilePeer.store(blockPastEnd, at: Offset.producerCursor, in: Self.base(of: queue)) == .exited(0))
        Self.expectCorrupted { () throws(QueueError) in try queue.put([1, 2, 3]) }
    }

    @Test("a record length of 2^40 bytes, or one running past the tail: get throws .corrupted before allocating")
    func hugeLengths() throws {
        let before = residentMemory()
        for length in [UInt64(1) << 40, UInt64.max, 3 << 30, 200_000] {
            let queue = try Queue<[UInt8]>()
            try queue.put([1, 2, 3])
            #expect(HostilePeer.store(length, at: Self.blockStart(0), in: Self.base(of: queue)) == .exited(0))
            Self.expectCorrupted { () throws(QueueError) in try queue.get(timeout: .seconds(5)) }
        }
        let after = residentMemory()
        #expect(after.peak - before.peak < 100 << 20)
    }

    @Test("a link to a block past the end, and a free list pointing past the end: put throws .corrupted")
    func badLinks() throws {
        let queue = try Queue<[UInt8]>()
        #expect(HostilePeer.store(UInt32.max, at: QueueStorage.linksOffset, in: Self.base(of: queue)) == .exited(0))
        // 70 KiB from the start of block 0 continue into the block linked after it.
        Self.expectCorrupted { () throws(QueueError) in try queue.put([UInt8](repeating: 1, count: 70_000)) }

        let full = try Queue<[UInt8]>()
        // Three 64 KiB messages fill the four initial blocks up to block 0, where the head is:
        // the fourth needs another block, which comes from the (hostile) free list.
        for _ in 0..<3 { try full.put([UInt8](repeating: 2, count: QueueStorage.blockSize)) }
        #expect(HostilePeer.store(UInt32(60_001), at: Offset.freeBlocks, in: Self.base(of: full)) == .exited(0))
        Self.expectCorrupted { () throws(QueueError) in try full.put([UInt8](repeating: 3, count: QueueStorage.blockSize)) }
        #expect(try full.get(timeout: .seconds(5)).count == QueueStorage.blockSize)
    }

    @Test("a peer that truncates the queue's memory fails (the file is sealed) and the queue keeps working")
    func truncationRefused() throws {
        let queue = try Self.filledQueue()
        let fd = queue.storage.segment.fileDescriptor.rawValue
        let outcome = HostilePeer.write(into: Self.base(of: queue)) { _ in
            // 0: every shrink was refused with EPERM.
            for size in [0, 4096, QueueStorage.blocksOffset] where ftruncate(fd, off_t(size)) == 0 || errno != EPERM {
                return 1
            }
            return 0
        }
        #expect(outcome == .exited(0))
        for i in 0..<4 { #expect(try queue.get(timeout: .seconds(5)).count == 8 + i * 40) }
        #expect(try queue.get(timeout: .seconds(5)).count == 100_000)
    }

    @Test("1,000 seeded runs of a peer scribbling on the queue's memory: this process stays healthy")
    func randomScribbles() throws {
        // The child runs the scribbler once for real here first (see ForkHelper).
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        scratch.withUnsafeMutableBytes { var warmUp = QueueScribbler(seed: 0, fileSize: $0.count); warmUp.scribble($0.baseAddress!) }
        let before = residentMemory()
        var outcomes: [String: Int] = [:]
        for seed in UInt64(1)...1_000 {
            let queue = try Self.filledQueue(messages: Int(seed % 5))
            let fileSize = try queue.storage.segment.fileSize()
            let peer = HostilePeer.write(into: Self.base(of: queue)) { base in
                var scribbler = QueueScribbler(seed: seed, fileSize: fileSize)
                scribbler.scribble(base)
                return 0
            }
            #expect(peer == .exited(0), "seed \(seed)")
            var random = SplitMix64(state: seed)
            for _ in 0..<8 {
                let start = Deadline.now
                let outcome = Self.operate(on: queue, &random)
                outcomes[outcome, default: 0] += 1
                #expect(Deadline.now.nanoseconds - start.nanoseconds < 5_000_000_000, "seed \(seed): \(outcome) took too long")
            }
        }
        let after = residentMemory()
        #expect(after.now - before.now < 100 << 20, "resident memory grew from \(before.now) to \(after.now) bytes")
        #expect(after.peak - before.peak < 100 << 20, "peak resident memory grew from \(before.peak) to \(after.peak) bytes")
        // The corruption was noticed at least sometimes, and some operations still worked.
        #expect(outcomes["corrupted", default: 0] > 0)
        #expect(outcomes["got", default: 0] > 0)
        // This process keeps working with a fresh queue.
        let fresh = try Queue<Int>()
        for i in 0..<100 { try fresh.put(i) }
        for i in 0..<100 { #expect(try fresh.get(timeout: .seconds(5)) == i) }
    }

    @Test("a peer scribbling while this process puts and gets: every operation returns or throws a QueueError")
    func concurrentScribbles() throws {
        let queue = try Self.filledQueue()
        let fileSize = try queue.storage.segment.fileSize()
        let before = residentMemory()
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        scratch.withUnsafeMutableBytes { var warmUp = QueueScribbler(seed: 0, fileSize: $0.count); warmUp.scribble($0.baseAddress!) }
        let base = Self.base(of: queue)
        let stop = try SharedValue(0, lock: false)
        _ = stop.load()
        let child = ForkHelper.start(lifetime: 30) {
            var scribbler = QueueScribbler(seed: 42, fileSize: fileSize)
            while stop.load() == 0 {
                scribbler.scribble(base)
                sched_yield()
            }
            return 0
        }
        var random = SplitMix64(state: 42)
        for _ in 0..<20_000 {
            let start = Deadline.now
            let outcome = Self.operate(on: queue, &random)
            #expect(Deadline.now.nanoseconds - start.nanoseconds < 5_000_000_000, "\(outcome) took too long")
        }
        stop.store(1)
        #expect(ForkHelper.wait(child, timeout: .seconds(20)) == .exited(0))
        let after = residentMemory()
        #expect(after.peak - before.peak < 100 << 20)
    }

    /// One random timed operation on `queue`; returns what happened.
    static func operate(on queue: Queue<[UInt8]>, _ random: inout SplitMix64) -> String {
        do throws(QueueError) {
            switch random.next() % 4 {
            case 0:
                try queue.put([UInt8](repeating: 9, count: Int(random.next() % 200)), timeout: .milliseconds(1))
                return "put"
            case 1:
                try queue.put([UInt8](repeating: 9, count: 70_000 + Int(random.next() % 100_000)), timeout: .milliseconds(1))
                return "put"
            default:
                _ = try queue.get(timeout: .milliseconds(1))
                _ = (queue.count, queue.isEmpty, queue.isFull)
                return "got"
            }
        } catch .corrupted {
            return "corrupted"
        } catch {
            return "\(error)"
        }
    }
}

/// Seeded garbage for a queue's memory, aimed at what a queue reads — header words (cursors,
/// counts, lock words, block bookkeeping), links, record headers — or anywhere in the file.
struct QueueScribbler {
    var random: SplitMix64
    /// Bytes of the queue's file: a peer writing beyond them would only fault itself.
    let fileSize: Int

    init(seed: UInt64, fileSize: Int) {
        random = SplitMix64(state: seed &* 0x2545_F491_4F6C_DD1D)
        self.fileSize = fileSize
    }

    static let headerWords = [4, 64, 128, 132, 136, 140, 144, 148, 152, 160, 164, 192, 196, 256, 260, 320, 324, 384, 448, 512, 576]

    /// One to eight writes into the memory at `base`.
    mutating func scribble(_ base: UnsafeMutableRawPointer) {
        for _ in 0...(random.next() % 8) {
            let offset = target()
            let value = self.value()
            if offset % 8 == 0 && offset + 8 <= fileSize && random.next() % 2 == 0 {
                base.storeBytes(of: value, toByteOffset: offset, as: UInt64.self)
            } else if offset + 4 <= fileSize {
                base.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: offset, as: UInt32.self)
            }
        }
    }

    private mutating func target() -> Int {
        switch random.next() % 4 {
        case 0: return Self.headerWords[Int(random.next() % UInt64(Self.headerWords.count))]
        case 1: return QueueStorage.linksOffset + 4 * Int(random.next() % 8)
        case 2: return QueueStorage.blocksOffset + Int(random.next() % 4) * QueueStorage.blockSize + 8 * Int(random.next() % 64)
        default: return Int(random.next() % UInt64(fileSize)) & ~3
        }
    }

    private mutating func value() -> UInt64 {
        let packedPosition = (random.next() % (1 << 18)) << 14 | random.next() % (1 << 14)
        let choices: [UInt64] = [0, 1, UInt64(UInt32.max), UInt64.max, 1 << 40, UInt64(QueueStorage.blockSize),
                                 packedPosition << 32 | random.next() % (1 << 32), random.next() % 300_000, random.next()]
        return choices[Int(random.next() % UInt64(choices.count))]
    }
}
