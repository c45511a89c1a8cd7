import Multitask

/// The workload of the `lock_uncontended_detector_report_nested` metric.
public enum DeadlockBenchmark {
    /// Nanoseconds per `acquire`+`release` of a `Lock` while another `Lock` is held, with the
    /// detector in report mode (switched on for the measurement, then restored).
    public static func nestedAcquireReleaseNanoseconds(iterations: Int) -> Double {
        let saved = DeadlockDetector.mode
        DeadlockDetector.mode = .report
        defer { DeadlockDetector.mode = saved }
        let outer = Lock(name: "bench-outer")
        let inner = Lock(name: "bench-inner")
        outer.acquire()
        defer { outer.release() }
        for _ in 0..<min(iterations, 10_000) {
            inner.acquire()
            inner.release()
        }
        let start = Deadline.now
        for _ in 0..<iterations {
            inner.acquire()
            inner.release()
        }
        return Double(Deadline.now.nanoseconds - start.nanoseconds) / Double(max(iterations, 1))
    }
}
