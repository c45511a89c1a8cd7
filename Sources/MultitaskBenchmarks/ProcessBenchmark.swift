import Multitask

/// Process start-up latency, for `multitask bench` (metrics `process_start_join_fork`,
/// `process_start_join_spawn`, `process_start_join_forkserver`).
public enum ProcessBenchmark {
    /// The median time, in microseconds, of `start()` + `join()` of a process that does
    /// nothing: a no-op closure for `.fork`, a no-op ``ProcessEntry`` otherwise. A few
    /// warm-up runs come first (for `.forkserver` they also start the server), so the figure
    /// is the steady state.
    public static func startJoinMicroseconds(method: StartMethod, samples: Int) -> Double {
        usageCheck(samples > 0, "ProcessBenchmark: samples must be positive")
        func once() -> Double {
            let process = method == .fork
                ? Process(name: "bench", target: {})
                : Process(name: "bench", startMethod: method, entry: NoOpEntry())
            let start = Deadline.now.nanoseconds
            do {
                try process.start()
            } catch {
                fatalError("ProcessBenchmark: cannot start a \(method) process: \(error)")
            }
            process.join()
            return Double(Deadline.now.nanoseconds - start) / 1000
        }
        for _ in 0..<3 { _ = once() }
        let times = (0..<samples).map { _ in once() }.sorted()
        return samples % 2 == 1 ? times[samples / 2] : (times[samples / 2 - 1] + times[samples / 2]) / 2
    }
}

/// The entry the benchmark starts: nothing to do, so the figure is the cost of the process.
struct NoOpEntry: ProcessEntry {
    func run() {}
}
