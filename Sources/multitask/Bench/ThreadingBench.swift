import Multitask
import MultitaskBenchmarks
import Synchronization

/// The threading metrics of `Benchmarks/baselines/METRICS.md`, with the CPython peer's workloads,
/// and beside them the Swift-native peers (``ThreadingPeers``).
enum ThreadingBench {
    static let area = BenchArea(name: "threading") { report in
        ThreadingPeers.locks(report)
        report(uncontended(RLock(), metric: "rlock_uncontended", label: "RLock"))
        ThreadingPeers.contendedLocks(report)
        ThreadingPeers.pingPong(report, loaded: false)
        ThreadingPeers.pingPong(report, loaded: true)
        report(threadQueueThroughput())
        ThreadingPeers.channels(report)
        ThreadingPeers.tasks(report)
        report(cpuScaling())
        report(ioBound())
    }

    /// Rounds and iterations of the uncontended lock metrics.
    static let uncontendedRounds = 7, uncontendedIterations = 20_000_000

    /// Median over rounds of ns per `acquire`+`release` on one thread, after another thread
    /// has existed (so nothing can take a single-threaded shortcut).
    static func uncontended(_ lock: some Lockable, metric: String, label: String) -> BenchMetric {
        startAndJoinAThread()
        let rounds = (0..<uncontendedRounds).map { _ in
            LockBenchmark.acquireReleaseNanoseconds(lock, iterations: uncontendedIterations)
        }
        return BenchMetric(name: metric, value: rounds.median, unit: "ns/pair", note: "\(label) acquire+release, median of 7 x 20M")
    }

    /// Makes the process multi-threaded once, as it is when locks matter.
    static func startAndJoinAThread() {
        let t = Thread {}
        t.start()
        t.join()
    }

    /// One producer thread → one consumer, 300 k Ints through an unbounded `ThreadQueue`;
    /// median of 7 runs after a warm-up.
    static func threadQueueThroughput() -> BenchMetric {
        _ = ThreadQueueBenchmark.throughputInt(count: 30_000)
        let runs = (0..<7).map { _ in ThreadQueueBenchmark.throughputInt(count: 300_000) }
        return BenchMetric(name: "thread_queue_throughput_int", value: runs.median, unit: "msgs/s", note: "ThreadQueue<Int> 1 producer -> 1 consumer, 300k, median of 7")
    }

    /// Four equal CPU units: sequential time / time on 2 threads.
    static func cpuScaling() -> BenchMetric {
        let unit = Workloads.cpuUnitIterations
        _ = Workloads.cpuUnit(unit / 10)
        var reference = 0
        let sequential = Stopwatch.seconds {
            for i in 0..<4 { reference &+= Workloads.cpuUnit(unit + i) }
        }
        let results = Mutex([Int]())
        let parallel = Stopwatch.seconds {
            let threads = (0..<2).map { t in
                Thread {
                    let a = Workloads.cpuUnit(unit + 2 * t), b = Workloads.cpuUnit(unit + 2 * t + 1)
                    results.withLock { $0 += [a, b] }
                }
            }
            threads.forEach { $0.start() }
            threads.forEach { $0.join() }
        }
        let total = results.withLock { $0.reduce(0, &+) }
        precondition(total == reference, "CPU units disagree between sequential and threaded runs")
        return BenchMetric(name: "cpu_scaling_threads2_speedup", value: sequential / parallel, unit: "x",
                           note: "4 CPU units: sequential \(format(sequential)) s / 2 threads \(format(parallel)) s")
    }

    /// 20 blocking 50 ms units on 10 threads.
    static func ioBound() -> BenchMetric {
        let next = Atomic<Int>(0)
        let elapsed = Stopwatch.seconds {
            let threads = (0..<10).map { _ in
                Thread {
                    while next.wrappingAdd(1, ordering: .relaxed).oldValue < 20 { Workloads.ioUnit() }
                }
            }
            threads.forEach { $0.start() }
            threads.forEach { $0.join() }
        }
        return BenchMetric(name: "io_bound_threads10", value: elapsed, unit: "s", note: "20 x 50 ms sleeps on 10 threads")
    }
}

/// Two decimals, without Foundation.
func format(_ x: Double, decimals: Int = 3) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (x * scale).rounded() / scale
    var s = "\(r)"
    if let dot = s.firstIndex(of: ".") {
        let fraction = s[s.index(after: dot)...].count
        if fraction < decimals { s += String(repeating: "0", count: decimals - fraction) }
    } else if decimals > 0 {
        s += "." + String(repeating: "0", count: decimals)
    }
    return s
}
