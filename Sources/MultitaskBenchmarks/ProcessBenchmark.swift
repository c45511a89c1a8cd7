import Multitask

/// Process start-up latency, for `multitask bench` (metrics `process_start_join_fork`,
/// `process_start_join_spawn`, `process_start_join_forkserver`): the caller takes the median
/// of many samples, interleaved with the other start methods and the `posix_spawn` peer.
public enum ProcessBenchmark {
    /// The time, in microseconds, of one `start()` + `join()` of a process that does nothing:
    /// a no-op closure for `.fork`, a no-op ``ProcessEntry`` otherwise.
    public static func startJoinMicroseconds(method: StartMethod) -> Double {
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

    /// A few runs whose figures are dropped (for `.forkserver` they also start the server), so
    /// that the samples after it are the steady state.
    public static func warmUp(method: StartMethod) {
        for _ in 0..<3 { _ = startJoinMicroseconds(method: method) }
    }
}

/// The entry the benchmark starts: nothing to do, so the figure is the cost of the process.
struct NoOpEntry: ProcessEntry {
    func run() {}
}
