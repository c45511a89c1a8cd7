import Multitask

/// The thread-pool measurements of `multitask bench --only threading` (one sample each; the
/// caller interleaves them with Dispatch and task-group peers and takes medians).
public enum ThreadPoolBenchmark {
    /// Microseconds per task for `count` no-op ``ThreadPool/applyAsync(_:)`` calls on `pool`,
    /// then `get` of every result.
    public static func applyAsyncMicroseconds(_ pool: ThreadPool, count: Int) -> Double {
        Stopwatch.seconds {
            let results = (0..<count).map { _ in pool.applyAsync { 0 } }
            for result in results { usageCheck((try? result.get()) == 0, "ThreadPoolBenchmark: a no-op task failed") }
        } / Double(count) * 1e6
    }

    /// Microseconds per item for a no-op ``ThreadPool/map(_:chunkSize:progress:_:)`` of
    /// `count` items, chunk size 1, on `pool`.
    public static func mapMicroseconds(_ pool: ThreadPool, count: Int) -> Double {
        var values: [Int] = []
        let seconds = Stopwatch.seconds {
            do { values = try pool.map(0..<count, chunkSize: 1) { $0 } } catch { fatalError("ThreadPoolBenchmark: map failed: \(error)") }
        }
        usageCheck(values.count == count, "ThreadPoolBenchmark: map returned \(values.count) of \(count) values")
        return seconds / Double(count) * 1e6
    }
}
