import Multitask
import MultitaskBenchmarks

/// The inter-process metrics of `Benchmarks/baselines/METRICS.md`: one producer process → one consumer
/// process through the shared-memory queues, and the process-shared lock.
enum IPCBench {
    static let area = BenchArea(name: "ipc") { report in
        _ = QueueBenchmark.throughputInt(count: 30_000)
        report(BenchMetric(name: "queue_throughput_int", value: median(5) { QueueBenchmark.throughputInt(count: 1_000_000) },
                           unit: "msgs/s", note: "Queue<Int> process -> process, 1M, median of 5"))
        report(BenchMetric(name: "queue_throughput_1KiB", value: median(5) { QueueBenchmark.throughput1KiB(count: 200_000) },
                           unit: "MB/s", note: "Queue<[UInt8]> 1 KiB payloads process -> process, 200k, median of 5"))
        report(BenchMetric(name: "simplequeue_throughput_int", value: median(5) { QueueBenchmark.throughputSimpleQueueInt(count: 1_000_000) },
                           unit: "msgs/s", note: "SimpleQueue<Int> process -> process, 1M, median of 5"))
        report(BenchMetric(name: "pipe_throughput_int", value: median(5) { PipeBenchmark.throughputInt(count: 200_000) },
                           unit: "msgs/s", note: "one-way Pipe, send of Ints parent -> child, 200k, median of 5"))
        report(BenchMetric(name: "pipe_pingpong_rtt", value: median(3) { PipeBenchmark.pingPongMicroseconds(roundTrips: 20_000) },
                           unit: "us", note: "parent <-> child over a duplex Pipe, median round trip, median of 3 runs"))
        report(BenchMetric(name: "shared_lock_uncontended", value: median(5) { QueueBenchmark.sharedLockUncontendedNanoseconds(iterations: 10_000_000) },
                           unit: "ns/pair", note: "Lock(placement: .shared) acquire+release, median of 5"))
    }

    static func median(_ runs: Int, _ measure: () -> Double) -> Double {
        (0..<runs).map { _ in measure() }.median
    }
}
