import Glibc
import Testing
@testable import Multitask

/// Cross-process stress and fault tests of the shared-memory queues (children made with a
/// raw `fork`; see `ForkHelper`).
@Suite("Queue across processes", .serialized)
struct QueueProcessTests {
    /// Per consumer and per message: how many times the consumer received it.
    struct Ledger {
        let producers: Int
        let perProducer: Int
        let consumers: Int
        let seen: SharedArray<UInt8>
        /// Per consumer: 1 if it saw some producer's messages out of order.
        let disorder: SharedArray<Int>

        init(producers: Int, perProducer: Int, consumers: Int) throws {
            self.producers = producers
            self.perProducer = perProducer
            self.consumers = consumers
            seen = try SharedArray(repeating: 0, count: consumers * producers * perProducer, lock: false)
            disorder = try SharedArray(repeating: 0, count: consumers, lock: false)
        }

        /// Consumes `queue` until a negative sentinel; returns the child's exit code.
        func consume(_ queue: Queue<Int>, as consumer: Int) -> Int32 {
            var last = [Int](repeating: -1, count: producers)
            let base = consumer * producers * perProducer
            seen.withUnsafeMutableBufferPointer { seen in
                while true {
                    guard let value = try? queue.get(timeout: .seconds(60)) else { return }
                    if value < 0 { return }
                    let producer = value / perProducer, index = value % perProducer
                    if index <= last[producer] { disorder[consumer] = 1 }
                    last[producer] = index
                    seen[base + value] &+= 1
                }
            }
            return 0
        }

        /// Runs the consumer code once in this process, so fork children find every piece of
        /// generic metadata it needs already instantiated (see `ForkHelper`).
        func warmUp() throws {
            let queue = try Queue<Int>()
            try? queue.put(-1)
            _ = consume(queue, as: 0)
        }

        /// How many times message `index` of `producer` was received, over all consumers.
        func deliveries(producer: Int, index: Int) -> Int {
            seen.withUnsafeMutableBufferPointer { seen in
                (0..<consumers).reduce(0) { $0 + Int(seen[$1 * producers * perProducer + producer * perProducer + index]) }
            }
        }
    }

    @Test("4 producer and 4 consumer processes, 10^5 messages each: none lost or duplicated, FIFO per producer")
    func manyToMany() throws {
        let producers = 4, consumers = 4, perProducer = 100_000
        let queue = try Queue<Int>(maxSize: 1000)
        let ledger = try Ledger(producers: producers, perProducer: perProducer, consumers: consumers)
        try queue.put(0)
        _ = try queue.get() // warm up the generic code before forking
        try ledger.warmUp()

        let consumerPIDs = (0..<consumers).map { c in ForkHelper.start { ledger.consume(queue, as: c) } }
        let producerPIDs = (0..<producers).map { p in
            ForkHelper.start {
                for i in 0..<perProducer {
                    guard (try? queue.put(p * perProducer + i)) != nil else { return 1 }
                }
                return 0
            }
        }
        for pid in producerPIDs { #expect(ForkHelper.wait(pid, timeout: .seconds(240)) == .exited(0)) }
        for _ in 0..<consumers { try queue.put(-1) }
        for pid in consumerPIDs { #expect(ForkHelper.wait(pid, timeout: .seconds(60)) == .exited(0)) }

        var wrong = 0
        for p in 0..<producers {
            for i in 0..<perProducer where ledger.deliveries(producer: p, index: i) != 1 { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(ledger.disorder.toArray() == [0, 0, 0, 0])
        #expect(queue.isEmpty)
    }

    @Test("producers SIGKILLed at random points: the queue stays usable and every acknowledged put is delivered exactly once",
          arguments: [0, 16])
    func producerKilled(maxSize: Int) throws {
        let steady = 2, victims = 10, consumers = 2
        let producers = steady + victims
        let perProducer = 30_000
        let queue = try Queue<Int>(maxSize: maxSize)
        let ledger = try Ledger(producers: producers, perProducer: perProducer, consumers: consumers)
        // acknowledged[p * perProducer + i] == 1 once victim p's put of message i returned.
        let acknowledged = try SharedArray(repeating: UInt8(0), count: producers * perProducer, lock: false)
        try queue.put(0)
        _ = try queue.get()
        try ledger.warmUp()

        let consumerPIDs = (0..<consumers).map { c in ForkHelper.start { ledger.consume(queue, as: c) } }
        func produce(_ p: Int, count: Int = perProducer) -> Int32 {
            acknowledged.withUnsafeMutableBufferPointer { acks in
                for i in 0..<count {
                    guard (try? queue.put(p * perProducer + i)) != nil else { return 1 }
                    acks[p * perProducer + i] = 1
                }
                return 0
            }
        }
        _ = produce(0, count: 0)
        let steadyPIDs = (0..<steady).map { p in ForkHelper.start { produce(p) } }
        var generator = SystemRandomNumberGenerator()
        for v in steady..<producers {
            let victim = ForkHelper.start { produce(v) }
            usleep(UInt32.random(in: 200...20_000, using: &generator))
            let outcome = ForkHelper.kill9(victim)
            #expect(outcome == .signaled(SIGKILL) || outcome == .exited(0))
        }
        for pid in steadyPIDs { #expect(ForkHelper.wait(pid, timeout: .seconds(240)) == .exited(0)) }
        // The parent's puts may have to take over a producer lock from a dead victim.
        for _ in 0..<consumers { try queue.put(-1, timeout: .seconds(30)) }
        for pid in consumerPIDs { #expect(ForkHelper.wait(pid, timeout: .seconds(60)) == .exited(0)) }

        var lost = 0, duplicated = 0, phantom = 0, acked = 0
        for p in 0..<producers {
            var lastAcked = -1
            for i in 0..<perProducer {
                let n = ledger.deliveries(producer: p, index: i)
                let ack = p < steady || acknowledged[p * perProducer + i] == 1
                if ack { acked += 1; lastAcked = i }
                if n > 1 { duplicated += 1 }
                if ack && n == 0 { lost += 1 }
                // Only the put in flight at the kill may be delivered unacknowledged.
                if !ack && n == 1 && i > lastAcked + 1 { phantom += 1 }
            }
        }
        #expect(lost == 0)
        #expect(duplicated == 0)
        #expect(phantom == 0)
        #expect(acked > steady * perProducer)
        #expect(ledger.disorder.toArray().allSatisfy { $0 == 0 })
        // Still usable afterwards.
        try queue.put(7)
        #expect(try queue.get(timeout: .seconds(5)) == 7)
    }

    @Test("a producer that dies holding the producer lock in the middle of a write: its half-written message is never delivered")
    func producerDiesMidWrite() throws {
        let queue = try Queue<Int>()
        try queue.put(1)
        _ = queue.storage.producerLock.acquire(until: nil)
        _ = queue.storage.producerLock.unlock()
        let child = ForkHelper.start {
            // What a put looks like when killed after reserving and writing but before
            // publishing: the lock is held and bytes past the tail are garbage.
            _ = queue.storage.producerLock.acquire(until: nil)
            queue.storage.scribbleUnpublishedRecordForTesting()
            _exit(0)
        }
        #expect(ForkHelper.wait(child) == .exited(0))
        let start = Deadline.now
        try queue.put(2, timeout: .seconds(10))
        #expect(Deadline.now.nanoseconds - start.nanoseconds < 2_000_000_000)
        try queue.put(3)
        #expect(try (0..<3).map { _ in try queue.get(timeout: .seconds(5)) } == [1, 2, 3])
        #expect(queue.isEmpty)
    }

    @Test("a consumer SIGKILLed while holding the consumer lock does not wedge the queue")
    func consumerLockOwnerKilled() throws {
        let queue = try Queue<Int>()
        try queue.put(1)
        try queue.put(2)
        let holding = try SharedValue(0, lock: false)
        _ = queue.storage.consumerLock.acquire(until: nil)
        _ = queue.storage.consumerLock.unlock()
        let child = ForkHelper.start {
            // Simulate a death in the middle of a get: take the lock and never release it.
            _ = queue.storage.consumerLock.acquire(until: nil)
            holding.store(1)
            while true { pause() }
        }
        while holding.load() == 0 { usleep(100) }
        #expect(ForkHelper.kill9(child) == .signaled(SIGKILL))
        let start = Deadline.now
        #expect(try queue.get(timeout: .seconds(10)) == 1)
        #expect(Deadline.now.nanoseconds - start.nanoseconds < 2_000_000_000)
        #expect(try queue.get() == 2)
    }

    @Test("JoinableQueue: join waits until every task is marked done by another process")
    func joinable() throws {
        let jobs = try JoinableQueue<Int>()
        #expect(jobs.join(timeout: .milliseconds(10)))
        for i in 0..<100 { try jobs.put(i) }
        #expect(jobs.unfinishedTaskCount == 100)
        #expect(!jobs.join(timeout: .milliseconds(20)))
        let worker = ForkHelper.start {
            for _ in 0..<100 {
                guard (try? jobs.get(timeout: .seconds(20))) != nil else { return 1 }
                usleep(200)
                jobs.taskDone()
            }
            return 0
        }
        #expect(jobs.join(timeout: .seconds(30)))
        #expect(jobs.unfinishedTaskCount == 0)
        #expect(ForkHelper.wait(worker) == .exited(0))
    }

    @Test("SimpleQueue carries strings between processes")
    func simpleQueue() throws {
        let queue = try SimpleQueue<String>()
        try queue.put("warm")
        _ = try queue.get()
        let child = ForkHelper.start {
            for i in 0..<1000 { guard (try? queue.put("message \(i)")) != nil else { return 1 } }
            queue.close()
            return 0
        }
        var received = 0
        while let message = try? queue.get() {
            #expect(message == "message \(received)")
            received += 1
        }
        #expect(received == 1000)
        #expect(ForkHelper.wait(child) == .exited(0))
        #expect(queue.isEmpty)
    }
}
