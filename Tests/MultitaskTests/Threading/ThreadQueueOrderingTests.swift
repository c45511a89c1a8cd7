import Synchronization
import Testing
@testable import Multitask

/// Counts the live instances of ``Tracked``, to catch a lost or doubly destroyed element.
private let trackedLive = Atomic<Int>(0)

/// An element with a deinit: its moves through the queue's raw slots must neither leak nor
/// destroy it twice.
private final class Tracked: Sendable {
    let producer: Int
    let sequence: Int
    init(producer: Int, sequence: Int) {
        self.producer = producer
        self.sequence = sequence
        trackedLive.add(1, ordering: .relaxed)
    }
    deinit { trackedLive.subtract(1, ordering: .relaxed) }
}

/// What one consumer received, in order; read only after joining that consumer.
private final class Arrivals: @unchecked Sendable { var items: [(producer: Int, sequence: Int)] = [] }

/// The FIFO ``ThreadQueue``'s split ends under many producers and consumers, in release mode
/// (where reordering bugs show): every element arrives exactly once, each producer's elements
/// in the order it put them, nothing leaks. Every thread is joined with a timeout.
@Suite("ThreadQueueOrdering", .serialized)
struct ThreadQueueOrderingTests {
    /// `producers` threads put `perProducer` tracked elements each, `consumers` threads get
    /// until shutdown; checks exact-once delivery and per-producer order at each consumer.
    private func exchange(maxSize: Int, producers: Int, consumers: Int, perProducer: Int, timedGets: Bool) {
        let queue = ThreadQueue<Tracked>(maxSize: maxSize)
        let arrivals = (0..<consumers).map { _ in Arrivals() }
        let consumerThreads = (0..<consumers).map { c in
            Thread(name: "ordering-consumer-\(c)") {
                while true {
                    let element: Tracked
                    do {
                        element = timedGets ? try queue.get(timeout: .microseconds(50)) : try queue.get()
                    } catch ThreadQueueError.empty { continue } catch { return }
                    arrivals[c].items.append((element.producer, element.sequence))
                    queue.taskDone()
                }
            }
        }
        let producerThreads = (0..<producers).map { p in
            Thread(name: "ordering-producer-\(p)") {
                for i in 0..<perProducer { try queue.put(Tracked(producer: p, sequence: i)) }
            }
        }
        guard runExchange(queue, producers: producerThreads, consumers: consumerThreads, limit: .seconds(120)) else { return }
        let (wrong, outOfOrder) = misdelivered(arrivals, producers: producers, perProducer: perProducer)
        #expect(wrong == 0, "\(wrong) elements not received exactly once")
        #expect(outOfOrder == 0, "\(outOfOrder) elements overtook an earlier one of their producer")
        #expect(queue.isEmpty && queue.unfinishedTaskCount == 0)
    }

    /// How many of the `producers` x `perProducer` elements the consumers' `arrivals` did not
    /// receive exactly once, and how many reached a consumer after a later one of their producer.
    private func misdelivered(_ arrivals: [Arrivals], producers: Int, perProducer: Int) -> (wrong: Int, outOfOrder: Int) {
        var seen = [[Int]](repeating: [Int](repeating: 0, count: perProducer), count: producers)
        var outOfOrder = 0
        for box in arrivals {
            var last = [Int](repeating: -1, count: producers)
            for (p, s) in box.items {
                seen[p][s] += 1
                if s <= last[p] { outOfOrder += 1 }
                last[p] = s
            }
        }
        return (seen.joined().filter { $0 != 1 }.count, outOfOrder)
    }

    @Test("3 producers x 3 consumers, unbounded: exactly once, FIFO per producer")
    func unbounded() {
        exchange(maxSize: 0, producers: 3, consumers: 3, perProducer: 60_000, timedGets: false)
        #expect(trackedLive.load(ordering: .relaxed) == 0)
    }

    @Test("3 producers x 3 consumers through 5 slots, with timed gets: exactly once, FIFO per producer")
    func boundedTimed() {
        exchange(maxSize: 5, producers: 3, consumers: 3, perProducer: 30_000, timedGets: true)
        #expect(trackedLive.load(ordering: .relaxed) == 0)
    }

    @Test("1 producer x 1 consumer, unbounded and bounded by 1: exactly once, in order")
    func onePair() {
        exchange(maxSize: 0, producers: 1, consumers: 1, perProducer: 200_000, timedGets: false)
        exchange(maxSize: 1, producers: 1, consumers: 1, perProducer: 20_000, timedGets: false)
        #expect(trackedLive.load(ordering: .relaxed) == 0)
    }

    @Test("immediate shutdown and deinit destroy the elements left across blocks exactly once")
    func discardAcrossBlocks() {
        do {
            let queue = ThreadQueue<Tracked>()
            for i in 0..<1_000 { try? queue.put(Tracked(producer: 0, sequence: i)) }
            for i in 0..<300 { #expect(queue.tryGet()?.sequence == i) }
            queue.shutdown(immediate: true)
            #expect(queue.count == 0 && queue.tryGet() == nil)
            #expect(queue.unfinishedTaskCount == 300)
            let left = ThreadQueue<Tracked>(maxSize: 700)
            for i in 0..<700 { #expect(left.tryPut(Tracked(producer: 1, sequence: i))) }
            #expect(!left.tryPut(Tracked(producer: 1, sequence: 700)))
            for i in 0..<450 { #expect(left.tryGet()?.sequence == i) }
        }
        #expect(trackedLive.load(ordering: .relaxed) == 0)
    }

    // MARK: Races of the lock-free claims

    /// Starts `count` threads named `name-i` running `body(i)`.
    private func started(_ count: Int, _ name: String, _ body: @escaping @Sendable (Int) throws -> Void) -> [Thread] {
        let threads = (0..<count).map { i in Thread(name: "\(name)-\(i)") { try body(i) } }
        threads.forEach { $0.start() }
        return threads
    }

    /// Joins every thread within two minutes; returns whether all ended.
    private func joinedAll(_ threads: [Thread]) -> Bool {
        threads.reduce(true) { $1.join(timeout: .seconds(120)) && $0 }
    }

    @Test("3 producers x 3 consumers with tryPut and tryGet only, bounded by 3 and unbounded: exactly once, FIFO per producer")
    func nonBlocking() {
        for maxSize in [3, 0] {
            let queue = ThreadQueue<Tracked>(maxSize: maxSize)
            let producers = 3, perProducer = 40_000
            let taken = Atomic<Int>(0)
            let arrivals = (0..<3).map { _ in Arrivals() }
            let consumers = started(3, "try-consumer") { c in
                while taken.load(ordering: .relaxed) < producers * perProducer {
                    guard let element = queue.tryGet() else { CPU.relax(); continue }
                    arrivals[c].items.append((element.producer, element.sequence))
                    taken.add(1, ordering: .relaxed)
                }
            }
            let producerThreads = started(producers, "try-producer") { p in
                for i in 0..<perProducer {
                    let element = Tracked(producer: p, sequence: i)
                    while !queue.tryPut(element) { CPU.relax() }
                }
            }
            let joined = joinedAll(producerThreads + consumers)
            #expect(joined, "a thread is stuck")
            guard joined else { return }
            let (wrong, outOfOrder) = misdelivered(arrivals, producers: producers, perProducer: perProducer)
            #expect(wrong == 0 && outOfOrder == 0, "\(wrong) not received once, \(outOfOrder) out of order")
            #expect(queue.isEmpty && queue.tryGet() == nil)
        }
        #expect(trackedLive.load(ordering: .relaxed) == 0)
    }

    @Test("immediate shutdown racing 3 consumers: each element received or discarded, once; the tasks balance")
    func immediateShutdownRace() {
        for round in 0..<20 {
            let queue = ThreadQueue<Tracked>()
            let total = 20_000 + round * 97
            for i in 0..<total { try? queue.put(Tracked(producer: 0, sequence: i)) }
            let arrivals = (0..<3).map { _ in Arrivals() }
            let consumers = started(3, "racing-consumer") { c in
                while let element = try? queue.get() {
                    arrivals[c].items.append((element.producer, element.sequence))
                    queue.taskDone()
                }
            }
            while queue.count > total / 2 { CPU.relax() }
            queue.shutdown(immediate: true)
            let joined = joinedAll(consumers)
            #expect(joined, "a consumer is stuck")
            guard joined else { return }
            let received = arrivals.flatMap { $0.items.map(\.sequence) }
            #expect(Set(received).count == received.count, "an element was received twice")
            #expect(queue.unfinishedTaskCount == 0, "received + discarded != put")
            #expect(queue.count == 0 && queue.tryGet() == nil)
            #expect(throws: ThreadQueueError.shutDown) { try queue.put(Tracked(producer: 0, sequence: -1)) }
        }
        #expect(trackedLive.load(ordering: .relaxed) == 0)
    }
}
