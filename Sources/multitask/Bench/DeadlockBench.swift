import Multitask
import MultitaskBenchmarks

/// The deadlock-detector metrics of `Benchmarks/baselines/METRICS.md`.
enum DeadlockBench {
    static let area = BenchArea(name: "deadlock") { report in
        // The detector is compiled in and off here: the same loop as the threading area.
        report(ThreadingBench.uncontended(Lock(), metric: "lock_uncontended", label: "Lock (detector off)"))
        let runs = (0..<7).map { _ in DeadlockBenchmark.nestedAcquireReleaseNanoseconds(iterations: 2_000_000) }
        report(BenchMetric(name: "lock_uncontended_detector_report_nested", value: runs.median, unit: "ns/pair",
                           note: "Lock acquire+release while holding another, report mode, median of 7 x 2M"))
    }
}
