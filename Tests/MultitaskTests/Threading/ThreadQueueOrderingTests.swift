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
        consumerThreads.forEach { $0.start() }
        producerThreads.forEach { $0.start() }
        for t in producerThreads { #expect(t.join(timeout: .seconds(120)), "a producer is stuck") }
        #expect(queue.join(timeout: .seconds(120)), "join is stuck")
        queue.shutdown()
        var joined = true
        for t in consumerThreads { joined = t.join(timeout: .seconds(120)) && joined }
        #expect(joined, "a consumer is stuck")
        guard joined else { return }
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
        let wrong = seen.joined().filter { $0 != 1 }.count
        #expect(wrong == 0, "\(wrong) elements not received exactly once")
        #expect(outOfOrder == 0, "\(outOfOrder) elements overtook an earlier one of their producer")
        #expect(queue.isEmpty && queue.unfinishedTaskCount == 0)
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
}
