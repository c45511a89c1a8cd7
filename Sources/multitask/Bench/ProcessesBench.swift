import Multitask
import MultitaskBenchmarks

/// The process start-up metrics of `Benchmarks/baselines/METRICS.md`: `start()` + `join()` of a no-op
/// child per start method (medians; the fork server is warm before timing).
enum ProcessesBench {
    static let area = BenchArea(name: "processes") { report in
        let runs: [(StartMethod, String, Int)] = [(.fork, "fork", 200), (.spawn, "spawn", 30), (.forkserver, "forkserver", 60)]
        for (method, name, samples) in runs {
            report(BenchMetric(name: "process_start_join_\(name)",
                               value: ProcessBenchmark.startJoinMicroseconds(method: method, samples: samples),
                               unit: "us", note: "Process start()+join() of a no-op, .\(name), median of \(samples)"))
        }
    }
}
