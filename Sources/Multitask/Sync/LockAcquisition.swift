/// How ``Lock/acquireReportingDeadOwner(timeout:)`` or ``RLock/acquireReportingDeadOwner(timeout:)``
/// ended.
///
/// A process-shared lock remembers which process acquired it. When that process exits
/// (normally, by a signal or SIGKILL) without releasing it, the next acquirer notices within
/// about 50–100 ms, takes the lock over and gets ``acquiredAfterOwnerDied(pid:)``: it holds
/// the lock, but the data the lock guards may have been left half-updated. Plain `acquire()`
/// takes the lock over too and reports it on standard error only.
public enum LockAcquisition: Sendable, Hashable {
    /// The lock was free or released normally; the caller holds it.
    case acquired
    /// The caller holds the lock, taken over from process `pid`, which died holding it —
    /// or from a lock word naming no possible process (`pid` 0 or above 2^22): garbage that a
    /// process sharing the lock's memory wrote there, treated like a dead owner's.
    case acquiredAfterOwnerDied(pid: Int32)
    /// The timeout passed; the caller does not hold the lock.
    case timedOut

    /// Whether the caller holds the lock.
    public var isAcquired: Bool { self != .timedOut }

    init(_ outcome: MutexCore.Acquisition) {
        switch outcome {
        case .acquired: self = .acquired
        case .ownerDied(let pid): self = .acquiredAfterOwnerDied(pid: pid)
        case .timedOut: self = .timedOut
        }
    }
}

extension Lock {
    /// Acquires the lock like ``acquire()`` (or ``acquire(timeout:)`` when `timeout` is given)
    /// and tells whether it had to be taken over from a process that died holding it.
    ///
    /// ```swift
    /// let lock = try Lock(placement: .shared)
    /// switch lock.acquireReportingDeadOwner() {
    /// case .acquiredAfterOwnerDied(let pid): repair(afterCrashOf: pid)
    /// default: break
    /// }
    /// defer { lock.release() }
    /// ```
    ///
    /// Ownership is per process: a lock is taken over only when the process that acquired it
    /// has exited, never while any of its threads lives. A process-local lock never reports a
    /// dead owner.
    public func acquireReportingDeadOwner(timeout: Duration? = nil) -> LockAcquisition {
        checkProcess()
        return LockAcquisition(core.acquire(until: timeout.map { .timeout($0, of: "Lock.acquireReportingDeadOwner(timeout:)") }))
    }

    /// The process holding a process-shared lock right now (nil when free or process-local).
    public var sharedOwnerPID: Int32? { core.sharedOwner }
}

extension RLock {
    /// Acquires the lock like ``acquire()`` (or ``acquire(timeout:)`` when `timeout` is given)
    /// and tells whether it had to be taken over from a process that died holding it.
    ///
    /// ```swift
    /// let lock = try RLock(placement: .shared)
    /// if case .acquiredAfterOwnerDied(let pid) = lock.acquireReportingDeadOwner() {
    ///     repair(afterCrashOf: pid)
    /// }
    /// defer { lock.release() }
    /// ```
    ///
    /// The owning thread holds the lock on behalf of its process: the lock is taken over only
    /// when that process has exited, never while any of its threads lives (a thread that ends
    /// while holding an `RLock` keeps it locked, as in Python). Re-entry by the owner returns
    /// ``LockAcquisition/acquired``; a process-local lock never reports a dead owner.
    public func acquireReportingDeadOwner(timeout: Duration? = nil) -> LockAcquisition {
        checkProcess()
        return LockAcquisition(core.acquire(until: timeout.map { .timeout($0, of: "RLock.acquireReportingDeadOwner(timeout:)") }, as: RecursiveMutexCore.currentThread))
    }

    /// The process whose thread holds a process-shared lock right now (nil when free or
    /// process-local).
    public var sharedOwnerPID: Int32? { core.mutex.sharedOwner }
}
