import Synchronization

/// A worker's progress, in memory shared with the parent: whether its loop runs yet, which
/// task it started last, which it finished last, and when the running one started.
///
/// Replies are batched (many tasks per socket write), so the parent cannot tell from the
/// socket which task a worker is running. These three words can: the worker stores them
/// around every task (a few nanoseconds, no system call), and after a crash or at a timeout
/// check the parent reads exactly which task was running and for how long. Task numbers count
/// the tasks one worker received, from 1; 0 means none yet.
// @unchecked: a pointer to shared words that are only loaded and stored atomically.
struct PoolWorkerStatus: @unchecked Sendable {
    /// Bytes per worker: one cache line, so workers never share a line.
    static let stride = 64

    // Invariant: points at `stride` bytes of shared memory holding five initialized atomics.
    private let words: UnsafeMutablePointer<Atomic<UInt64>>

    /// The status at `base`; `initialize` zeroes it (before the worker starts).
    init(at base: UnsafeMutableRawPointer, initialize: Bool) {
        words = base.bindMemory(to: Atomic<UInt64>.self, capacity: 5)
        if initialize {
            for i in 0..<5 { (words + i).initialize(to: Atomic(0)) }
        }
    }

    /// The number of the task started last (0: none).
    var started: UInt64 { words[0].load(ordering: .acquiring) }
    /// The number of the task finished last; the running task is `started` when it is larger.
    var finished: UInt64 { words[1].load(ordering: .acquiring) }
    /// When the task started last began, in `CLOCK_MONOTONIC` nanoseconds.
    var startNanoseconds: Int64 { Int64(bitPattern: words[2].load(ordering: .acquiring)) }

    /// Whether the worker reached its loop (a fork child can hang before, on a lock that a
    /// parent thread held at the instant of fork).
    var isServing: Bool { words[3].load(ordering: .acquiring) != 0 }

    /// In the worker: the loop starts.
    func markServing() { words[3].store(1, ordering: .releasing) }

    /// Whether the worker got past its initializer: a worker that ends before did not die of
    /// a task, and several in a row mean workers cannot start at all.
    var isReady: Bool { words[4].load(ordering: .acquiring) != 0 }

    /// In the worker: the initializer (if any) is done; tasks come next.
    func markReady() { words[4].store(1, ordering: .releasing) }

    /// In the worker: task `number` begins now.
    func begin(_ number: UInt64, at nanoseconds: Int64) {
        words[2].store(UInt64(bitPattern: nanoseconds), ordering: .releasing)
        words[0].store(number, ordering: .releasing)
    }

    /// In the worker: task `number` ended (its reply is buffered).
    func end(_ number: UInt64) {
        words[1].store(number, ordering: .releasing)
    }
}
