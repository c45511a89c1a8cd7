import Glibc
import Testing
@testable import Multitask

/// The streaming path of the shared-memory queue: a consumer keeping its distance from a
/// producer that is still publishing (`QueueDistance`), and the wake-up of a sleeping
/// consumer by puts that publish the tail with a release store (`waitForMessage`).
@Suite("Queue streaming", .serialized)
struct QueueStreamingTests {
    /// A new queue whose put and get this process has run once, so that a fork child finds
    /// everything they need already instantiated (see `ForkHelper`).
    func warmedUpQueue() throws -> Queue<Int> {
        let queue = try Queue<Int>()
        try queue.put(-1)
        _ = try queue.get()
        return queue
    }

    @Test("positions close behind the tail: same block, fewer than keptDistance bytes, never past it")
    func closeness() throws {
        let storage = try QueueStorage(maxSize: 0)
        typealias Position = QueueStorage.Position
        let tail = Position(block: 2, offset: 4096)
        #expect(storage.isClose(Position(block: 2, offset: 4096 - 16), behind: tail))
        #expect(storage.isClose(Position(block: 2, offset: 4096 - QueueStorage.keptDistance + 8), behind: tail))
        #expect(!storage.isClose(Position(block: 2, offset: 4096 - QueueStorage.keptDistance), behind: tail))
        #expect(!storage.isClose(Position(block: 1, offset: 4096 - 16), behind: tail))
        #expect(!storage.isClose(Position(block: 2, offset: 4096 + 16), behind: tail))
    }

    @Test("a blocking get right behind the tail holds back once, then takes the message; a non-blocking one never holds back")
    func arrivalsRightBehindTheTail() throws {
        let queue = try Queue<Int>()
        let storage = queue.storage
        try queue.put(1)
        try queue.put(2)
        let head = QueueStorage.Cursor(storage.head.pointee.load(ordering: .relaxed))
        guard case .closeBehindProducer(let tail) = storage.arrivals(after: head, mayHoldBack: true) else {
            Issue.record("two 16-byte records should count as close behind the producer")
            return
        }
        #expect(tail.count == head.count &+ 2)
        // Holding back ends at the first check: nothing is being published.
        let start = Deadline.now.nanoseconds
        storage.holdBack(at: head.position, producerAt: tail)
        #expect(Deadline.now.nanoseconds - start < 100_000_000)
        guard case .ready = storage.arrivals(after: head, mayHoldBack: false) else {
            Issue.record("a consumer that held back must read")
            return
        }
        #expect(try queue.tryGet() == 1)
        #expect(try queue.get() == 2)
    }

    @Test("gets right behind puts in one thread, 20000 rounds: in order, and never held back for long")
    func alternatingPutsAndGets() throws {
        let queue = try Queue<Int>()
        let start = Deadline.now.nanoseconds
        for i in 0..<20_000 {
            try queue.put(2 * i)
            try queue.put(2 * i + 1)
            #expect(try queue.get() == 2 * i)
            #expect(try queue.get(timeout: .seconds(5)) == 2 * i + 1)
        }
        // Unbounded holding back would cost far more than this (each hold-back of a stopped
        // producer ends after one check, well under a microsecond).
        #expect(Deadline.now.nanoseconds - start < 20_000_000_000)
        #expect(queue.isEmpty)
    }

    @Test("a consumer process that sleeps between small bursts is always woken: 3000 messages, none late")
    func sleepingConsumerIsWoken() throws {
        let queue = try warmedUpQueue()
        let count = 3_000
        let producer = ForkHelper.start {
            var random: UInt32 = 12_345
            var i = 0
            while i < count {
                random = random &* 1_103_515_245 &+ 12_345
                // Bursts of 1-3 messages after pauses from none to 200 µs: the consumer
                // spins through the short ones and sleeps through the long ones, racing the
                // put's publication in every phase.
                for _ in 0...Int(random >> 30) where i < count {
                    guard (try? queue.put(i)) != nil else { return 1 }
                    i += 1
                }
                let pause = (random >> 8) % 200
                if pause < 20 {
                    for _ in 0..<pause * 10 { CPU.relax() }
                } else {
                    usleep(pause)
                }
            }
            return 0
        }
        var late = 0
        for i in 0..<count {
            // A lost wake-up leaves the consumer asleep until the timeout.
            guard let value = try? queue.get(timeout: .seconds(2)) else {
                late += 1
                break
            }
            #expect(value == i)
        }
        #expect(late == 0)
        #expect(ForkHelper.wait(producer) == .exited(0))
    }

    @Test("one producer process streaming 300000 Ints to this one: every message once, in order")
    func streamBetweenProcesses() throws {
        let queue = try warmedUpQueue()
        let count = 300_000
        let producer = ForkHelper.start {
            for i in 0..<count {
                guard (try? queue.put(i)) != nil else { return 1 }
            }
            return 0
        }
        var outOfOrder = 0
        for i in 0..<count {
            guard let value = try? queue.get(timeout: .seconds(30)) else {
                Issue.record("message \(i) did not arrive")
                break
            }
            if value != i { outOfOrder += 1 }
        }
        #expect(outOfOrder == 0)
        #expect(queue.isEmpty)
        #expect(ForkHelper.wait(producer) == .exited(0))
    }
}
