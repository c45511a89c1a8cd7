import Synchronization
import Testing
@testable import Multitask
import MultitaskBenchmarks

/// What one consumer received; read by the test only after joining that consumer.
private final class Received: @unchecked Sendable { var values: [Int] = [] }

@Suite("ThreadQueue under stress")
struct ThreadQueueStressTests {
    /// `producers` threads each put `perProducer` distinct integers into `queue`, `consumers`
    /// threads get until the queue is shut down; checks that every integer arrived exactly once.
    /// `producers` threads each put `perProducer` distinct integers into `queue`, `consumers`
    /// threads get until the queue is shut down; checks that every integer arrived exactly once.
    private func exchange<Ordering: SendableMetatype>(
        through queue: OrderedThreadQueue<Ordering>, producers: Int, consumers: Int, perProducer: Int
    ) where Ordering.Element == Int {
        let total = producers * perProducer
        let received = (0..<consumers).map { _ in Received() }
        let consumerThreads = (0..<consumers).map { c in
            Thread(name: "consumer-\(c)") {
                while true {
                    let value: Int
                    do { value = try queue.get() } catch { return }  // .shutDown: all drained
                    received[c].values.append(value)
                    queue.taskDone()
                }
            }
        }
        let producerThreads = (0..<producers).map { p in
            Thread(name: "producer-\(p)") {
                for i in 0..<perProducer { try queue.put(p * perProducer + i) }
            }
        }
        guard runExchange(queue, producers: producerThreads, consumers: consumerThreads, limit: .seconds(300)) else { return }
        var seen = [Int](repeating: 0, count: total)
        for box in received { for value in box.values { seen[value] += 1 } }
        #expect(received.reduce(0) { $0 + $1.values.count } == total)
        let wrong = seen.indices.filter { seen[$0] != 1 }
        #expect(wrong.isEmpty, "\(wrong.count) integers not received exactly once, e.g. \(wrong.prefix(5))")
        #expect(queue.isEmpty && queue.unfinishedTaskCount == 0)
    }

    @Test("4 producers x 4 consumers x 10^5 integers through a bounded FIFO queue: each arrives once")
    func boundedFifo() {
        exchange(through: ThreadQueue<Int>(maxSize: 16), producers: 4, consumers: 4, perProducer: 100_000)
    }

    @Test("the same through an unbounded FIFO queue")
    func unboundedFifo() {
        exchange(through: ThreadQueue<Int>(), producers: 4, consumers: 4, perProducer: 100_000)
    }

    @Test("the same, smaller, through bounded LIFO and priority queues")
    func boundedLifoAndPriority() {
        exchange(through: LifoThreadQueue<Int>(maxSize: 8), producers: 4, consumers: 4, perProducer: 25_000)
        exchange(through: PriorityThreadQueue<Int>(maxSize: 8), producers: 4, consumers: 4, perProducer: 25_000)
    }

    @Test("a queue of size 1 between one producer and one consumer keeps FIFO order")
    func pingPongOrder() {
        let queue = ThreadQueue<Int>(maxSize: 1)
        let count = 50_000
        let producer = Thread {
            for i in 0..<count { try queue.put(i) }
        }
        producer.start()
        var inOrder = true
        for i in 0..<count where (try? queue.get(timeout: .seconds(60))) != i { inOrder = false }
        #expect(inOrder)
        #expect(producer.join(timeout: .seconds(60)))
    }

    @Test("the benchmark workload moves every element")
    func benchmarkRuns() {
        #expect(ThreadQueueBenchmark.throughputInt(count: 100_000) > 0)
    }
}

/// Starts `consumers` and `producers`, waits for the producers and for every task to be
/// done, shuts `queue` down and waits for the consumers, each wait bounded by `limit`; records
/// what got stuck and returns whether every thread ended.
func runExchange<Ordering: SendableMetatype>(
    _ queue: OrderedThreadQueue<Ordering>, producers: [Thread], consumers: [Thread], limit: Duration
) -> Bool {
    consumers.forEach { $0.start() }
    producers.forEach { $0.start() }
    for t in producers { #expect(t.join(timeout: limit), "a producer is stuck") }
    #expect(queue.join(timeout: limit), "join is stuck")
    queue.shutdown()
    var joined = true
    for t in consumers { joined = t.join(timeout: limit) && joined }
    #expect(joined, "a consumer is stuck")
    return joined
}
