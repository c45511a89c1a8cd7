import Multitask

/// The units of work shared by `lab` and `bench`, the same as the CPython peer's
/// (`Benchmarks/baselines/python_peer.py`: `cpu_unit`, `io_unit`).
enum Workloads {
    /// Iterations of one CPU-bound unit. Python's unit is 3 M iterations
    /// (``PythonPeer/cpuUnitIterations``, ~0.3 s in CPython); compiled (vectorized) Swift runs
    /// the same loop ~500× faster, so ours is scaled up to last ~0.25 s and stay measurable.
    /// `lab --python` prints both sizes and the measured cost of one iteration on each side.
    static let cpuUnitIterations = 400_000_000

    /// CPU-bound: `sum(i * i % 7)`. The function is pure, so the optimizer may merge calls with
    /// equal arguments: callers that run several units pass different `n` (e.g. `n + i`).
    @inline(never)
    static func cpuUnit(_ n: Int) -> Int {
        var sum = 0
        for i in 0..<n { sum &+= (i &* i) % 7 }
        return sum
    }

    /// Blocking: sleeps 50 ms, like a slow network call.
    static func ioUnit() {
        NativeThread.sleep(for: .milliseconds(50))
    }
}

/// Monotonic time for measurements.
enum Stopwatch {
    static func now() -> ContinuousClock.Instant { ContinuousClock.now }

    /// Seconds taken by `body`.
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start).seconds
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

extension Array where Element == Double {
    /// The median (the mean of the two middle values for an even count).
    var median: Double {
        guard !isEmpty else { return .nan }
        let s = sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
