import Synchronization
import Testing
@testable import Multitask

/// Counts live instances, to see that queues move elements instead of copying or leaking them.
private final class Tracked: Sendable {
    static let live = Atomic(0)
    let value: Int
    init(_ value: Int) { self.value = value; Tracked.live.wrappingAdd(1, ordering: .relaxed) }
    deinit { Tracked.live.wrappingAdd(-1, ordering: .relaxed) }
}

/// Milliseconds since `start`.
private func millisecondsSince(_ start: Deadline) -> Int64 {
    (Deadline.now.nanoseconds - start.nanoseconds) / 1_000_000
}

/// Sleeps `milliseconds`, giving another thread time to block.
private func pause(_ milliseconds: Int) {
    _ = Event().wait(timeout: .milliseconds(milliseconds))
}

@Suite("ThreadQueue: order, capacity, blocking and timeouts")
struct ThreadQueueTests {
    @Test("ThreadQueue is first in, first out")
    func fifoOrder() throws {
        let queue = ThreadQueue<Int>()
        for i in 0..<100 { try queue.put(i) }
        #expect(queue.count == 100)
        for i in 0..<100 { #expect(try queue.get() == i) }
        #expect(queue.isEmpty)
    }

    @Test("LifoThreadQueue is last in, first out")
    func lifoOrder() throws {
        let queue = LifoThreadQueue<String>()
        for word in ["a", "b", "c"] { try queue.put(word) }
        #expect(try queue.get() == "c")
        try queue.put("d")
        #expect(try queue.get() == "d")
        #expect(try queue.get() == "b")
        #expect(try queue.get() == "a")
        #expect(queue.tryGet() == nil)
    }

    @Test("PriorityThreadQueue hands out the smallest element first")
    func priorityOrder() throws {
        let queue = PriorityThreadQueue<Int>()
        var generator = SystemRandomNumberGenerator()
        let values = (0..<1_000).map { _ in Int.random(in: -500...500, using: &generator) }
        for v in values { try queue.put(v) }
        var out: [Int] = []
        while let v = queue.tryGet() { out.append(v) }
        #expect(out == values.sorted())
    }

    @Test("PriorityThreadQueue with a comparator keeps equal priorities in put order")
    func priorityComparatorIsStable() throws {
        struct Job: Sendable, Equatable { var priority: Int; var name: String }
        let queue = PriorityThreadQueue<Job> { $0.priority > $1.priority }  // largest first
        let jobs = [Job(priority: 1, name: "low-1"), Job(priority: 5, name: "high-1"),
                    Job(priority: 1, name: "low-2"), Job(priority: 5, name: "high-2"),
                    Job(priority: 3, name: "mid"), Job(priority: 1, name: "low-3")]
        for job in jobs { try queue.put(job) }
        let names = (0..<jobs.count).map { _ in queue.tryGet()!.name }
        #expect(names == ["high-1", "high-2", "mid", "low-1", "low-2", "low-3"])
    }

    @Test("a custom ordering plugs into OrderedThreadQueue")
    func customOrdering() throws {
        /// Hands out the even numbers first.
        struct EvensFirst: ThreadQueueOrdering {
            var evens: [Int] = [], odds: [Int] = []
            var count: Int { evens.count + odds.count }
            mutating func insert(_ element: consuming Int) {
                if element % 2 == 0 { evens.append(element) } else { odds.append(element) }
            }
            mutating func removeNext() -> Int { evens.isEmpty ? odds.removeFirst() : evens.removeFirst() }
        }
        let queue = OrderedThreadQueue(maxSize: 0, ordering: EvensFirst())
        for i in 1...6 { try queue.put(i) }
        #expect((0..<6).map { _ in queue.tryGet()! } == [2, 4, 6, 1, 3, 5])
    }

    @Test("tryPut and tryGet never block; count, isEmpty and isFull follow")
    func nonBlocking() {
        let queue = ThreadQueue<Int>(maxSize: 2)
        #expect(queue.maxSize == 2)
        #expect(queue.isEmpty && !queue.isFull)
        #expect(queue.tryGet() == nil)
        #expect(queue.tryPut(1))
        #expect(queue.tryPut(2))
        #expect(queue.isFull && queue.count == 2)
        #expect(!queue.tryPut(3))
        #expect(queue.tryGet() == 1)
        #expect(!queue.isFull)
        #expect(queue.tryPut(3))
        #expect(queue.tryGet() == 2)
        #expect(queue.tryGet() == 3)
        #expect(queue.tryGet() == nil)
    }

    @Test("an unbounded queue is never full")
    func unbounded() throws {
        for maxSize in [0, -1] {
            let queue = ThreadQueue<Int>(maxSize: maxSize)
            for i in 0..<10_000 { #expect(queue.tryPut(i)) }
            #expect(!queue.isFull)
            try queue.put(0, timeout: .zero)
            #expect(queue.count == 10_001)
        }
    }

    @Test("get(timeout:) throws .empty after about the timeout")
    func getTimesOut() {
        let queue = ThreadQueue<Int>()
        let start = Deadline.now
        #expect(throws: ThreadQueueError.empty) { try queue.get(timeout: .milliseconds(50)) }
        let waited = millisecondsSince(start)
        #expect(waited >= 45 && waited < 5_000)
        #expect(throws: ThreadQueueError.empty) { try queue.get(timeout: .zero) }
    }

    @Test("put(_:timeout:) on a full queue throws .full after about the timeout")
    func putTimesOut() throws {
        let queue = LifoThreadQueue<Int>(maxSize: 1)
        try queue.put(1)
        let start = Deadline.now
        #expect(throws: ThreadQueueError.full) { try queue.put(2, timeout: .milliseconds(50)) }
        let waited = millisecondsSince(start)
        #expect(waited >= 45 && waited < 5_000)
        #expect(throws: ThreadQueueError.full) { try queue.put(2, timeout: .zero) }
        #expect(queue.count == 1)
    }

    @Test("a timed get returns an element put by another thread before the timeout")
    func timedGetSucceeds() throws {
        let queue = ThreadQueue<Int>()
        let producer = Thread { pause(20); try queue.put(42) }
        producer.start()
        #expect(try queue.get(timeout: .seconds(30)) == 42)
        #expect(producer.join(timeout: .seconds(60)))
    }

    @Test("a put on a full bounded queue blocks until a get makes room")
    func boundedPutBlocks() throws {
        let queue = ThreadQueue<Int>(maxSize: 2)
        try queue.put(1)
        try queue.put(2)
        let putDone = Event()
        let producer = Thread {
            try queue.put(3)
            putDone.set()
        }
        producer.start()
        #expect(!putDone.wait(timeout: .milliseconds(100)), "put returned although the queue was full")
        #expect(try queue.get() == 1)
        #expect(putDone.wait(timeout: .seconds(30)))
        #expect(producer.join(timeout: .seconds(60)))
        #expect(try queue.get() == 2)
        #expect(try queue.get() == 3)
    }

    @Test("a get on an empty queue blocks until a put")
    func getBlocks() throws {
        let queue = PriorityThreadQueue<Int>()
        let got = Atomic(0)
        let consumer = Thread { got.store(try queue.get(), ordering: .relaxed) }
        consumer.start()
        pause(50)
        #expect(consumer.isAlive)
        try queue.put(7)
        #expect(consumer.join(timeout: .seconds(60)))
        #expect(got.load(ordering: .relaxed) == 7)
    }

    @Test("several putters blocked on a full queue all get through as room appears")
    func manyBlockedPutters() throws {
        let queue = ThreadQueue<Int>(maxSize: 1)
        try queue.put(0)
        let putters = (1...4).map { i in Thread { try queue.put(i) } }
        putters.forEach { $0.start() }
        pause(30)
        var got: [Int] = []
        for _ in 0..<5 { got.append(try queue.get(timeout: .seconds(30))) }
        for putter in putters { #expect(putter.join(timeout: .seconds(60))) }
        #expect(got.sorted() == [0, 1, 2, 3, 4])
        #expect(queue.isEmpty)
    }

    @Test("elements are moved, not copied: the queue keeps no reference to what it handed out")
    func movesElements() throws {
        let before = Tracked.live.load(ordering: .relaxed)
        do {
            let queue = ThreadQueue<Tracked>()
            try queue.put(Tracked(1))
            var element = try queue.get()
            #expect(isKnownUniquelyReferenced(&element))
            let priority = PriorityThreadQueue<Tracked> { $0.value < $1.value }
            try priority.put(Tracked(2))
            try priority.put(Tracked(1))
            var first = try priority.get()
            #expect(first.value == 1 && isKnownUniquelyReferenced(&first))
            // Left in a queue that goes away: destroyed with it.
            try queue.put(Tracked(3))
        }
        #expect(Tracked.live.load(ordering: .relaxed) == before)
    }
}

@Suite("SimpleThreadQueue")
struct SimpleThreadQueueTests {
    @Test("put never blocks, get waits and returns in put order")
    func basics() throws {
        let queue = SimpleThreadQueue<Int>()
        #expect(queue.isEmpty && queue.tryGet() == nil)
        let producer = Thread {
            for i in 0..<10_000 { queue.put(i) }
        }
        producer.start()
        for i in 0..<10_000 { #expect(queue.get() == i) }
        #expect(producer.join(timeout: .seconds(60)))
        #expect(queue.count == 0)
        queue.put(5)
        #expect(try queue.get(timeout: .zero) == 5)
    }

    @Test("get(timeout:) throws .empty after about the timeout")
    func timeout() {
        let queue = SimpleThreadQueue<String>()
        let start = Deadline.now
        #expect(throws: ThreadQueueError.empty) { try queue.get(timeout: .milliseconds(40)) }
        let waited = millisecondsSince(start)
        #expect(waited >= 35 && waited < 5_000)
    }
}
