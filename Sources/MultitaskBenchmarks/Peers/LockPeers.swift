import Glibc
import Synchronization

/// The toolchain's locks, measured as ``LockBenchmark`` measures ours: `Mutex`
/// (Synchronization) and `pthread_mutex_t` (Glibc). Not `NSLock`: linking Foundation into
/// `multitask` makes every `.spawn` child load Foundation and ICU, which would change the
/// process start-up figures this tool measures (and `NSLock` is a `pthread_mutex_t` inside).
public enum LockPeers {
    /// Nanoseconds per `mutex.withLock { $0 += 1 }` by one thread, over `iterations`.
    public static func mutexWithLockNanoseconds(iterations: Int) -> Double {
        let mutex = Mutex(0)
        let nanoseconds = Stopwatch.nanoseconds(per: iterations) {
            for _ in 0..<iterations { mutex.withLock { $0 += 1 } }
        }
        precondition(mutex.withLock { $0 } == iterations, "LockPeers: Mutex lost counts")
        return nanoseconds
    }

    /// Nanoseconds per `pthread_mutex_lock` + `pthread_mutex_unlock` (default attributes) by
    /// one thread, over `iterations`.
    public static func pthreadMutexNanoseconds(iterations: Int) -> Double {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        defer {
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
        }
        return Stopwatch.nanoseconds(per: iterations) {
            for _ in 0..<iterations {
                pthread_mutex_lock(mutex)
                pthread_mutex_unlock(mutex)
            }
        }
    }

    /// Nanoseconds per `withLock { $0 += 1 }` of one `Mutex` (wall time / all operations)
    /// while `threads` threads each run `perThread` of them: ``LockBenchmark/contendedNanoseconds(threads:perThread:)``
    /// with the toolchain's lock.
    public static func mutexContendedNanoseconds(threads: Int, perThread: Int) -> Double {
        let shared = SharedMutex()
        let nanoseconds = Contended.nanosecondsPerOperation(threads: threads, perThread: perThread) { count in
            for _ in 0..<count { shared.mutex.withLock { $0 += 1 } }
        }
        precondition(shared.mutex.withLock { $0 } == threads * perThread, "LockPeers: Mutex lost counts")
        return nanoseconds
    }

    /// A `Mutex` the contending threads share (a `Mutex` itself cannot be captured).
    private final class SharedMutex: Sendable {
        let mutex = Mutex(0)
    }
}
