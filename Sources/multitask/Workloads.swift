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
