import Multitask
import MultitaskBenchmarks

/// The inter-process metrics of `Benchmarks/baselines/METRICS.md`: one producer process → one consumer
/// process through the shared-memory queues, and the process-shared lock.
enum IPCBench {
    static let area = BenchArea(name: "ipc") { report in
        _ = QueueBenchmark.throughputInt(count: 30_000)
        _ = RingPeer.throughputInt(count: 30_000)
        wordQueues(report)
        report(BenchMetric(name: "queue_throughput_1KiB", value: median(5) { QueueBenchmark.throughput1KiB(count: 200_000) },
                           unit: "MB/s", note: "Queue<[UInt8]> 1 KiB payloads process -> process, 200k, median of 5"))
        report(BenchMetric(name: "pipe_throughput_int", value: median(5) { PipeBenchmark.throughputInt(count: 200_000) },
                           unit: "msgs/s", note: "one-way Pipe, send of Ints parent -> child, 200k, median of 5"))
        report(BenchMetric(name: "pipe_pingpong_rtt", value: median(3) { PipeBenchmark.pingPongMicroseconds(roundTrips: 20_000) },
                           unit: "us", note: "parent <-> child over a duplex Pipe, median round trip, median of 3 runs"))
        report(BenchMetric(name: "shared_lock_uncontended", value: median(5) { QueueBenchmark.sharedLockUncontendedNanoseconds(iterations: 10_000_000) },
                           unit: "ns/pair", note: "Lock(placement: .shared) acquire+release, median of 5"))
    }

    /// `Queue<Int>` and `SimpleQueue<Int>` beside the C limit's shared-memory ring, 10^6
    /// messages each per round, interleaved and pooled over at least 2 s like the C limit's
    /// own 10^8-message run (``Interleaved/pooledRates(window:minimumRounds:_:)``): the
    /// cross-vCPU speed these rates follow changes within seconds (METRICS.md, issue 16).
    static func wordQueues(_ report: (BenchMetric) -> Void) {
        let count = 1_000_000
        let ours = ["queue_throughput_int", "simplequeue_throughput_int"]
        let note = "process -> process, 1M per round, >= 5 rounds interleaved over >= 2 s, total msgs / total time"
        PeerGroup(rows: [
            .init(metric: ours[0], unit: "msgs/s", note: "Queue<Int> \(note)", rounds: 5) {
                QueueBenchmark.throughputInt(count: count)
            },
            .init(metric: ours[1], unit: "msgs/s", note: "SimpleQueue<Int> \(note)", rounds: 5) {
                QueueBenchmark.throughputSimpleQueueInt(count: count)
            },
            .init(metric: "peer_c_shm_ring_spin_throughput_8B", unit: "msgs/s",
                  note: "C SPSC ring of c_limit.c, spin-only (8 B slots, cap 32768) in the same harness, \(note)",
                  peerOf: ours, rounds: 5) { RingPeer.throughputInt(count: count) },
        ], pooledOver: .seconds(2)).run(report)
    }

    static func median(_ runs: Int, _ measure: () -> Double) -> Double {
        (0..<runs).map { _ in measure() }.median
    }
}
