import Multitask

/// The process-pool measurements of `Benchmarks/baselines/METRICS.md`, with the workloads of the CPython
/// peer (`python_peer.py`: `bench_pool`, `bench_gil_cpu`, `bench_io_bound`), for
/// `multitask bench --only pool`.
///
/// Each function builds its pool first (warm, as the peer's `with Pool(2) as pool:` after a
/// warm-up map), times only the workload, and returns one sample; callers take medians.
public enum PoolBenchmark {
    /// `pool_apply_async_overhead`: microseconds per task for 20 k no-op ``Pool/applyAsync(_:timeout:)``
    /// calls on a warm pool of 2, then `get` of all.
    public static func applyAsyncOverheadMicroseconds(count: Int = 20_000) throws -> Double {
        try Pool.withPool(processes: 2) { pool in
            _ = try pool.map(Identity.self, Array(0..<200))
            let seconds = try measure {
                let results = (0..<count).map { _ in pool.applyAsync(NoOp()) }
                for result in results { _ = try result.get() }
            }
            return seconds / Double(count) * 1e6
        }
    }

    /// `pool_map_chunksize1_throughput` (20 k, chunk 1) and `pool_map_chunksize1000_throughput`
    /// (2 M, chunk 1000): tasks per second of a no-op ``Pool/map(_:_:chunkSize:progress:)`` on
    /// a warm pool of 2.
    public static func mapThroughput(count: Int, chunkSize: Int) throws -> Double {
        try Pool.withPool(processes: 2) { pool in
            _ = try pool.map(Identity.self, Array(0..<200))
            let inputs = Array(0..<count)
            let seconds = try measure { _ = try pool.map(Identity.self, inputs, chunkSize: chunkSize) }
            return Double(count) / seconds
        }
    }

    /// `cpu_scaling_procs2_speedup`: four equal CPU-bound units (``cpuUnitIterations`` each),
    /// sequential time divided by the time on a pool of 2.
    public static func cpuScalingSpeedup() throws -> Double {
        let units = (0..<4).map { cpuUnitIterations + $0 }  // distinct inputs: equal pure calls could be merged
        _ = CPUUnit.run(cpuUnitIterations / 10)
        var reference: [Int] = []
        let sequential = measure { reference = units.map(CPUUnit.run) }
        return try Pool.withPool(processes: 2) { pool in
            _ = try pool.map(Identity.self, Array(0..<4))
            var parallel: [Int] = []
            let seconds = try measure { parallel = try pool.map(CPUUnit.self, units) }
            usageCheck(parallel == reference, "PoolBenchmark: the pool computed different CPU results")
            return sequential / seconds
        }
    }

    /// `io_bound_procs10`: seconds for 20 × 50 ms sleeps on a warm pool of 10.
    public static func ioBoundSeconds() throws -> Double {
        try Pool.withPool(processes: 10) { pool in
            _ = try pool.map(Identity.self, Array(0..<10))
            return try measure { _ = try pool.map(Sleep.self, Array(0..<20)) }
        }
    }

    /// Iterations of one CPU unit: ~0.25 s of `sum(i * i % 7)` in compiled Swift (CPython's
    /// unit is 3 M iterations, ~0.3 s; the loop here runs ~500× faster).
    public static let cpuUnitIterations = 400_000_000

    // MARK: Workloads (internal, so the `multitask` executable's workers resolve them too)

    /// Python's `noop`.
    struct NoOp: PoolTask {
        func run() -> Int { 0 }
    }

    /// `noop` for `map`.
    enum Identity: PoolFunction {
        static func run(_ input: Int) -> Int { input }
    }

    /// Python's `cpu_unit`: `sum(i * i % 7 for i in range(n))`.
    enum CPUUnit: PoolFunction {
        @inline(never)
        static func run(_ n: Int) -> Int {
            var sum = 0
            for i in 0..<n { sum &+= (i &* i) % 7 }
            return sum
        }
    }

    /// Python's `io_unit`: blocks 50 ms (a timed futex wait that nobody ends early).
    enum Sleep: PoolFunction {
        static func run(_ input: Int) -> Int {
            Event().wait(timeout: .milliseconds(50))
            return input
        }
    }

    private static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
