import Multitask

/// The lock measurements of `multitask bench --only threading` (one sample each; the caller
/// interleaves them with the toolchain's locks in ``LockPeers`` and takes medians).
public enum LockBenchmark {
    /// Nanoseconds per `acquire` + `release` of `lock` by one thread, over `iterations`.
    /// `@inlinable`, so that the caller's module specialises it to the lock's type, as it
    /// does `Mutex.withLock` in ``LockPeers`` (the generic through the witness table measured
    /// the calls, not the lock).
    @inlinable
    public static func acquireReleaseNanoseconds(_ lock: some Lockable, iterations: Int) -> Double {
        Stopwatch.nanoseconds(per: iterations) {
            for _ in 0..<iterations {
                lock.acquire(file: #fileID, line: #line)
                lock.release()
            }
        }
    }

    /// Nanoseconds per `lock.withLock { n += 1 }` by one thread, over `iterations`.
    public static func withLockNanoseconds(_ lock: Lock, iterations: Int) -> Double {
        var n = 0
        let nanoseconds = Stopwatch.nanoseconds(per: iterations) {
            for _ in 0..<iterations { lock.withLock { n += 1 } }
        }
        usageCheck(n == iterations, "LockBenchmark: counted \(n) of \(iterations)")
        return nanoseconds
    }

    /// Nanoseconds per `withLock { n += 1 }` (wall time / all operations) while `threads`
    /// threads each run `perThread` of them on one ``Lock``.
    public static func contendedNanoseconds(threads: Int, perThread: Int) -> Double {
        let lock = Lock()
        let counter = Counter()
        let nanoseconds = Contended.nanosecondsPerOperation(threads: threads, perThread: perThread) { count in
            for _ in 0..<count { lock.withLock { counter.value += 1 } }
        }
        usageCheck(counter.value == threads * perThread, "LockBenchmark: counted \(counter.value) of \(threads * perThread)")
        return nanoseconds
    }

    /// The count the contended threads increment under the lock.
    // @unchecked: `value` is only touched under the lock being measured.
    private final class Counter: @unchecked Sendable {
        var value = 0
    }
}
