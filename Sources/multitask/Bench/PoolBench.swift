import Multitask
import MultitaskBenchmarks

/// The process-pool metrics of `Benchmarks/baselines/METRICS.md`, with the CPython peer's workloads.
enum PoolBench {
    static let area = BenchArea(name: "pool") { report in
        measure(report, "pool_apply_async_overhead", "us/task", "warm Pool(2), 20k no-op applyAsync then get all, median of 5") {
            try PoolBenchmark.applyAsyncOverheadMicroseconds(count: 20_000)
        }
        measure(report, "pool_map_chunksize1_throughput", "tasks/s", "map of a no-op over 20k ints, chunk size 1, median of 5") {
            try PoolBenchmark.mapThroughput(count: 20_000, chunkSize: 1)
        }
        measure(report, "pool_map_chunksize1000_throughput", "tasks/s", "map of a no-op over 2M ints, chunk size 1000, median of 5") {
            try PoolBenchmark.mapThroughput(count: 2_000_000, chunkSize: 1000)
        }
        measure(report, "cpu_scaling_procs2_speedup", "x", "4 CPU units: sequential / Pool(2), median of 3", runs: 3) {
            try PoolBenchmark.cpuScalingSpeedup()
        }
        measure(report, "io_bound_procs10", "s", "20 x 50 ms sleeps on Pool(10), median of 3", runs: 3) {
            try PoolBenchmark.ioBoundSeconds()
        }
    }

    private static func measure(_ report: (BenchMetric) -> Void, _ name: String, _ unit: String, _ note: String,
                                runs: Int = 5, _ body: () throws -> Double) {
        do {
            let values = try (0..<runs).map { _ in try body() }
            report(BenchMetric(name: name, value: values.median, unit: unit, note: note))
        } catch {
            writeError("bench \(name): \(error)\n")
            report(BenchMetric(name: name, value: .nan, unit: unit, note: "failed: \(error)"))
        }
    }
}
