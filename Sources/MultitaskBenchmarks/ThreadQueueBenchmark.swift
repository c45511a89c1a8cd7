import Multitask

/// The thread-queue workload of `multitask bench` (metric `thread_queue_throughput_int`).
public enum ThreadQueueBenchmark {
    /// Elements per second from one producer ``Thread`` to one consumer (the caller) through
    /// an unbounded ``ThreadQueue<Int>``: `count` integers, then a sentinel.
    ///
    /// Mirrors CPython's `bench_queue_Queue` in `baselines/python_peer.py`: the clock runs from
    /// just before the producer starts to the sentinel's arrival.
    public static func throughputInt(count: Int) -> Double {
        let queue = ThreadQueue<Int>()
        let sentinel = -1
        let producer = Thread(name: "queue-producer") {
            for i in 0..<count { try queue.put(i) }
            try queue.put(sentinel)
        }
        let start = Deadline.now
        producer.start()
        var received = 0
        while let value = try? queue.get(), value != sentinel {
            received += 1
        }
        let elapsed = Deadline.now.nanoseconds - start.nanoseconds
        producer.join()
        usageCheck(received == count, "ThreadQueueBenchmark: received \(received) of \(count) elements")
        return Double(count) * 1e9 / Double(max(elapsed, 1))
    }
}
