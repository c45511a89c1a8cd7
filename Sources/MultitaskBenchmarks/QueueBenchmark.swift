import Multitask
import Synchronization

/// The `ipc` measurements of `Benchmarks/baselines/METRICS.md`, for `multitask bench --only ipc`.
///
/// Each throughput run mirrors the C and CPython peers: one producer process, one consumer
/// process (a fork child), an unbounded ``Queue``, timed from the moment the producer starts
/// (the consumer is already waiting) until the consumer has received the last message.
public enum QueueBenchmark {
    /// `queue_throughput_int`: `count` `Int`s through `Queue<Int>`, in messages per second.
    ///
    /// Like the C ring's loop, each side calls the queue directly: no per-message `make` or
    /// `check` closure (the generic path of the 1 KiB run cost `Queue<Int>` ~8% against the
    /// same queue measured as `SimpleQueue<Int>`).
    public static func throughputInt(count: Int) -> Double {
        let queue = made { () throws(QueueError) in try Queue<Int>() }
        let seconds = transfer(count: count,
                               put: { (i) throws(QueueError) in try queue.put(i) },
                               get: { () throws(QueueError) in try queue.get() })
        return Double(count) / seconds
    }

    /// `simplequeue_throughput_int`: the same through `SimpleQueue<Int>`, in messages per second.
    public static func throughputSimpleQueueInt(count: Int) -> Double {
        let queue = made { () throws(QueueError) in try SimpleQueue<Int>() }
        let seconds = transfer(count: count,
                               put: { (i) throws(QueueError) in try queue.put(i) },
                               get: { () throws(QueueError) in try queue.get() })
        return Double(count) / seconds
    }

    /// `queue_throughput_1KiB`: `count` 1 KiB `[UInt8]` payloads through `Queue<[UInt8]>`,
    /// in MB/s (10^6 bytes).
    public static func throughput1KiB(count: Int) -> Double {
        var payload = [UInt8](repeating: 0xAB, count: 1024)
        let seconds = transfer(made { () throws(QueueError) in try Queue<[UInt8]>() }, count: count, make: { i in
            payload.withUnsafeMutableBytes { $0.storeBytes(of: i, as: Int.self) }
            return payload
        }, check: { $0.withUnsafeBytes { $0.load(as: Int.self) } })
        return Double(count) * 1024 / seconds / 1e6
    }

    /// `shared_lock_uncontended`: acquire + release of a process-shared ``Lock`` by one
    /// thread, median of 5 runs of `iterations`, in nanoseconds per pair.
    public static func sharedLockUncontendedNanoseconds(iterations: Int) -> Double {
        let lock: Lock
        do { lock = try Lock(placement: .shared) } catch { fatalError("benchmark: cannot create a shared lock: \(error)") }
        var samples: [Double] = []
        for _ in 0..<5 {
            let start = Deadline.now.nanoseconds
            for _ in 0..<iterations {
                lock.acquire()
                lock.release()
            }
            samples.append(Double(Deadline.now.nanoseconds - start) / Double(iterations))
        }
        return samples.sorted()[2]
    }

    /// The queue `make` creates; a benchmark that cannot get one stops, like its failed puts.
    private static func made<Made>(_ make: () throws(QueueError) -> Made) -> Made {
        do {
            return try make()
        } catch {
            fatalError("queue benchmark cannot create its queue: \(error)")
        }
    }

    private static func transfer<Element>(_ queue: Queue<Element>, count: Int, make: (Int) -> Element, check: @escaping (Element) -> Int) -> Double {
        transfer(count: count,
                 put: { (i) throws(QueueError) in try queue.put(make(i)) },
                 get: { () throws(QueueError) in check(try queue.get()) })
    }

    /// Runs the consumer in a fork child; returns the seconds from the producer's start to the
    /// consumer's last receipt. `get` returns the sequence number carried by the message.
    /// The C ring's peer row (``RingPeer``) runs through it too, so both pay the same harness.
    static func transfer(count: Int, put: (Int) throws(QueueError) -> Void, get: @escaping () throws(QueueError) -> Int) -> Double {
        // Shared words: [0] consumer ready, [1] consumer finish time (ns), [2] consumer error.
        let words = benchmarkSharedBytes(3 * 8)
        let shared = words.pointer.bindMemory(to: Atomic<Int>.self, capacity: 3)
        // Warm up both paths before forking, so the child runs no code for the first time.
        do {
            try put(0)
            _ = try get()
        } catch {
            fatalError("queue benchmark warm-up failed: \(error)")
        }
        // A fork child gets its own copy of everything captured here, so handing these
        // non-Sendable values to it is safe.
        let captured = ForkCapture((get: get, shared: shared))
        let consumer = benchmarkChild {
            let (get, shared) = captured.value
            shared[0].store(1, ordering: .releasing)
            for i in 0..<count {
                guard let value = try? get(), value == i else {
                    shared[2].store(1, ordering: .releasing)
                    throw QueueError.closed
                }
            }
            shared[1].store(Int(Deadline.now.nanoseconds), ordering: .releasing)
        }
        while !Spin.until(budget: 20_000, { shared[0].load(ordering: .acquiring) != 0 }) {}
        let start = Deadline.now.nanoseconds
        for i in 0..<count {
            do { try put(i) } catch { fatalError("queue benchmark put failed: \(error)") }
        }
        consumer.join()
        usageCheck(consumer.exitCode == 0 && shared[2].load(ordering: .acquiring) == 0, "queue benchmark consumer failed (exit code \(consumer.exitCode ?? -1))")
        let finish = Int64(shared[1].load(ordering: .acquiring))
        withExtendedLifetime(words.owner) {}
        return Double(finish - start) / 1e9
    }
}
