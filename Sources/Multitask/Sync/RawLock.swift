/// A lock algorithm on futex words, without the shell around it (lock_api's `RawMutex`): no
/// process check and no deadlock-detector bookkeeping. ``LockShell`` adds both, once for
/// every lock.
///
/// A value of a raw lock is the lock as the calling thread uses it, so a re-entrant lock
/// carries the caller's identity in it (``RecursiveMutexCore/Caller``).
protocol RawLock: Sendable {
    /// Locks, waiting until `deadline` (nil: forever); `false` on timeout.
    func lock(until deadline: Deadline?) -> Bool
    /// Locks only if that is possible without waiting.
    func tryLock() -> Bool
    /// Whether the caller holds the lock already, so that acquiring it again is a re-entry and
    /// not an acquisition (never, for a lock that is not re-entrant).
    var isHeldByCaller: Bool { get }
    /// Whether the caller's release opens the lock (always, for a lock that is not
    /// re-entrant).
    var releaseOpens: Bool { get }
}

extension RawLock {
    /// Not re-entrant: every acquire is an acquisition.
    @inline(__always)
    var isHeldByCaller: Bool { false }

    /// Not re-entrant: every release opens the lock.
    @inline(__always)
    var releaseOpens: Bool { true }
}

extension MutexCore: RawLock {}

extension SemaphoreCore: RawLock {
    /// Takes one unit, waiting until `deadline`: a semaphore used as a lock.
    @inline(__always)
    func lock(until deadline: Deadline?) -> Bool { acquire(until: deadline) }

    /// Takes one unit if there is one.
    @inline(__always)
    func tryLock() -> Bool { tryAcquire() }
}
