/// Monotonic time for measurements (the benchmarks and `multitask lab`).
public enum Stopwatch {
    /// Seconds taken by `body`.
    @inline(__always)
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start).seconds
    }

    /// Nanoseconds per iteration of a loop of `iterations` that `body` runs (called once).
    @inline(__always)
    public static func nanoseconds(per iterations: Int, _ body: () throws -> Void) rethrows -> Double {
        try seconds(body) / Double(max(iterations, 1)) * 1e9
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

extension Array where Element == Double {
    /// The median (the mean of the two middle values for an even count).
    public var median: Double {
        guard !isEmpty else { return .nan }
        let s = sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
