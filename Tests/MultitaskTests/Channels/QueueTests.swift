import Glibc
import Testing
@testable import Multitask

@Suite("Queue")
struct QueueTests {
    @Test("FIFO order, count, isEmpty and isFull in one process")
    func fifoBasics() throws {
        let queue = try Queue<Int>(maxSize: 3)
        #expect(queue.isEmpty && !queue.isFull && queue.count == 0 && queue.maxSize == 3)
        for i in 1...3 { try queue.put(i) }
        #expect(queue.count == 3 && queue.isFull)
        #expect(try queue.tryPut(4) == false)
        #expect(try queue.get() == 1)
        #expect(try queue.tryPut(4))
        #expect(try (0..<3).map { _ in try queue.get() } == [2, 3, 4])
        #expect(try queue.tryGet() == nil)
        #expect(queue.isEmpty)
    }

    @Test("get(timeout:) on an empty queue throws .empty after the timeout")
    func getTimeout() throws {
        let queue = try Queue<Int>()
        let start = Deadline.now
        #expect(throws: QueueError.empty) { try queue.get(timeout: .milliseconds(50)) }
        let waited = Deadline.now.nanoseconds - start.nanoseconds
        #expect(waited >= 45_000_000 && waited < 5_000_000_000)
    }

    @Test("put(_:timeout:) on a full queue throws .full after the timeout")
    func putTimeout() throws {
        let queue = try Queue<Int>(maxSize: 1)
        try queue.put(1)
        let start = Deadline.now
        #expect(throws: QueueError.full) { try queue.put(2, timeout: .milliseconds(50)) }
        let waited = Deadline.now.nanoseconds - start.nanoseconds
        #expect(waited >= 45_000_000 && waited < 5_000_000_000)
        #expect(queue.count == 1)
    }

    @Test("a bounded put blocks until another process gets, then completes")
    func boundedPutWakes() throws {
        let queue = try Queue<Int>(maxSize: 2)
        try queue.put(1)
        try queue.put(2)
        let outcome = ForkHelper.start {
            // Blocks: the queue is full until the parent gets.
            do {
                try queue.put(3)
                try queue.put(4)
                return 0
            } catch { return 1 }
        }
        usleep(100_000)
        #expect(queue.count == 2)
        var received: [Int] = []
        for _ in 0..<4 { received.append(try queue.get(timeout: .seconds(20))) }
        #expect(received == [1, 2, 3, 4])
        #expect(ForkHelper.wait(outcome) == .exited(0))
    }

    @Test("an empty get blocks until another process puts")
    func getWakes() throws {
        let queue = try Queue<Int>()
        try queue.put(0)
        _ = try queue.get()
        let child = ForkHelper.start {
            usleep(100_000)
            return (try? queue.put(42)) == nil ? 1 : 0
        }
        #expect(try queue.get(timeout: .seconds(20)) == 42)
        #expect(ForkHelper.wait(child) == .exited(0))
    }

    @Test("close: puts throw .closed, gets drain then throw .closed, and blocked gets wake")
    func closeSemantics() throws {
        let queue = try Queue<Int>()
        try queue.put(1)
        try queue.put(2)
        queue.close()
        #expect(queue.isClosed)
        #expect(throws: QueueError.closed) { try queue.put(3) }
        #expect(throws: QueueError.closed) { try queue.tryPut(3) }
        #expect(try queue.get() == 1)
        #expect(try queue.tryGet() == 2)
        #expect(throws: QueueError.closed) { try queue.get() }
        #expect(throws: QueueError.closed) { try queue.tryGet() }

        let other = try Queue<Int>()
        try other.put(0)
        _ = try other.get()
        let child = expectClosedInChild { () throws(QueueError) in _ = try other.get() } // blocks until the parent closes
        usleep(100_000)
        other.close()
        #expect(ForkHelper.wait(child) == .exited(0))
    }

    @Test("close wakes a producer blocked on a full queue")
    func closeWakesProducer() throws {
        let queue = try Queue<Int>(maxSize: 1)
        try queue.put(1)
        let child = expectClosedInChild { () throws(QueueError) in try queue.put(2) } // blocks until the parent closes
        usleep(100_000)
        queue.close()
        #expect(ForkHelper.wait(child) == .exited(0))
        #expect(try queue.get() == 1)
    }

    /// Runs `operation` in a child, which exits with 0 if it threw `.closed`.
    private func expectClosedInChild(_ operation: @escaping () throws(QueueError) -> Void) -> pid_t {
        ForkHelper.start {
            do {
                try operation()
                return 1
            } catch QueueError.closed {
                return 0
            } catch {
                return 2
            }
        }
    }

    @Test("messages larger than the initial storage and than a block travel intact across processes")
    func largeMessages() throws {
        let queue = try Queue<[UInt8]>()
        let sizes = [0, 1, 7, 65_000, 65_472, 65_473, 300_000, 3_000_000]
        func payload(_ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) } }
        try queue.put(payload(3))
        _ = try queue.get()
        let child = ForkHelper.start {
            for size in sizes {
                guard (try? queue.put(payload(size))) != nil else { return 1 }
            }
            return 0
        }
        for size in sizes {
            let message = try queue.get(timeout: .seconds(30))
            #expect(message.count == size)
            #expect(message == payload(size))
        }
        #expect(ForkHelper.wait(child) == .exited(0))
    }

    @Test("word-sized payloads (written without memmove) and other sizes mixed, at every offset of several block ends")
    func wordSizedRecordsAtBlockEnds() throws {
        let queue = try Queue<[UInt8]>()
        // Sizes 0...12 put records of 8 to 24 bytes in an irregular order, so that 8-byte
        // payloads start at every 8-byte offset, including the last ones of a block, where
        // the record continues in the next block.
        func payload(_ i: Int) -> [UInt8] { (0..<(i * 7 % 13)).map { UInt8(truncatingIfNeeded: i &+ $0 &* 3) } }
        for round in 0..<4 {
            let range = round * 20_000..<(round + 1) * 20_000
            for i in range { try queue.put(payload(i)) }
            for i in range { #expect(try queue.get() == payload(i)) }
        }
        #expect(queue.isEmpty)
    }

    @Test("an unbounded put never blocks: 40 MB queued without any consumer")
    func unboundedNeverBlocks() throws {
        let queue = try Queue<[UInt8]>()
        let chunk = [UInt8](repeating: 0xAB, count: 1 << 20)
        for _ in 0..<40 { try queue.put(chunk, timeout: .milliseconds(1)) }
        #expect(queue.count == 40)
        let descriptor = queue.storage.segment.fileDescriptor
        #expect(try descriptor.allocatedBytes() >= 40 << 20)
        for _ in 0..<40 { #expect(try queue.get() == chunk) }
        // The storage is reused afterwards, and once the queue has stopped growing for a
        // while, the burst's memory is given back.
        usleep(UInt32(QueueStorage.trimDelay / 1000) + 100_000)
        for i in 0..<100_000 { try queue.put([UInt8(truncatingIfNeeded: i)]) }
        for i in 0..<100_000 { #expect(try queue.get() == [UInt8(truncatingIfNeeded: i)]) }
        #expect(try descriptor.allocatedBytes() < 4 << 20)
        try queue.put(chunk)
        #expect(try queue.get() == chunk)
    }

    @Test("strings, byte arrays and any Codable value (structs, enums with payloads, optionals) round-trip")
    func codecPath() throws {
        let strings = try Queue<String>()
        try strings.put("héllo, wörld")
        try strings.put("")
        #expect(try strings.get() == "héllo, wörld")
        #expect(try strings.get() == "")
        enum Shape: Codable, Equatable { case circle(radius: Double), label(String?), none }
        struct Custom: Codable, Equatable { var name: String; var tags: [String]; var shape: Shape; var note: String? }
        let custom = try Queue<Custom>()
        let values = [
            Custom(name: "x", tags: ["a", "b"], shape: .circle(radius: 2), note: nil),
            Custom(name: "", tags: [], shape: .label(nil), note: "n"),
            Custom(name: "ü", tags: ["ç"], shape: .none, note: ""),
        ]
        for value in values { try custom.put(value) }
        for value in values { #expect(try custom.get(timeout: .seconds(5)) == value) }
        #expect(custom.isEmpty)
    }

    @Test("trivial structs and optionals are copied as bytes")
    func trivialValues() throws {
        struct Sample: Codable, Equatable { var id: Int32; var value: Double; var flag: Bool }
        let queue = try Queue<Sample>()
        try queue.put(Sample(id: 1, value: 2.5, flag: true))
        #expect(try queue.get() == Sample(id: 1, value: 2.5, flag: true))
        let optionals = try Queue<Int?>()
        try optionals.put(nil)
        try optionals.put(5)
        #expect(try optionals.get() == nil)
        #expect(try optionals.get() == 5)
    }

    @Test("threads of one process share a queue: 4 producers, 4 consumers")
    func threads() throws {
        let queue = try Queue<Int>(maxSize: 64)
        let perProducer = 20_000
        let sums = try SharedArray(repeating: 0, count: 4)
        let consumers = (0..<4).map { c in
            Multitask.Thread {
                var sum = 0
                while let value = try? queue.get(), value >= 0 { sum += value }
                sums[c] = sum
            }
        }
        let producers = (0..<4).map { p in
            Multitask.Thread { for i in 0..<perProducer { try queue.put(p * perProducer + i) } }
        }
        consumers.forEach { $0.start() }
        producers.forEach { $0.start() }
        producers.forEach { $0.join() }
        for _ in 0..<4 { try queue.put(-1) }
        consumers.forEach { $0.join() }
        let n = 4 * perProducer
        #expect(sums.toArray().reduce(0, +) == n * (n - 1) / 2)
    }
}
