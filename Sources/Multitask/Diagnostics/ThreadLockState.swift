
/// What one thread holds and waits for, as the detector sees it.
///
/// The owning thread pushes and pops its own entries; another thread changes them only when it
/// releases a lock this thread acquired (Python's `Lock` allows that), and the wait-for check
/// and ``DeadlockDetector/dump()`` read them. All of that goes through `lock`, an
/// ``InternalLock`` that is only ever held for a few instructions and never while taking the
/// detector's global lock. `isBusy` and `validatedPairs` belong to the owning thread alone.
// @unchecked: the held-lock stack and wait are guarded by `lock`; `isBusy` and `validatedPairs` are the owning thread's alone.
final class ThreadLockState: @unchecked Sendable {
    /// A lock this thread holds.
    struct HeldLock {
        let id: UInt64
        let site: AcquisitionSite
    }

    /// The lock this thread is blocked on.
    struct Waiting {
        let lockID: UInt64
        let site: AcquisitionSite
        let since: Deadline
    }

    /// What another thread may read: a copy taken under the lock.
    struct Snapshot {
        let state: ThreadLockState
        let held: [HeldLock]
        let untracked: Int
        let waiting: Waiting?
        let hasExited: Bool
    }

    /// At most this many held locks are tracked per thread (Abseil keeps 40, TSan 64,
    /// lockdep 48); deeper nesting is counted but not followed.
    static let capacity = 32

    /// A process-unique number, for telling threads apart in cycle keys.
    let serial: UInt64
    /// The thread, for its current name and id in reports.
    let thread: Thread
    /// The fork generation this record belongs to; a fork child starts afresh.
    let forkGeneration: UInt32

    // Guarded by `lock` (or owned by the thread), so Swift's dynamic exclusivity checks, which
    // cost more than the rest of the bookkeeping, are switched off for these fields.
    private let lock = InternalLock()
    @exclusivity(unchecked) private var epoch: UInt64
    /// Invariant: `capacity` slots, the first `heldCount` initialized (`HeldLock` is trivial).
    private let held = UnsafeMutablePointer<HeldLock>.allocate(capacity: ThreadLockState.capacity)
    @exclusivity(unchecked) private var heldCount = 0
    @exclusivity(unchecked) private var untracked = 0
    @exclusivity(unchecked) private var waiting: Waiting?
    @exclusivity(unchecked) private var exited = false

    /// Set while the detector runs on this thread, so that locks taken by a report handler
    /// are not followed (no recursion into the detector).
    @exclusivity(unchecked) var isBusy = false
    /// The pairs this thread has already validated against the lock-order graph.
    @exclusivity(unchecked) var validatedPairs = LockPairCache()

    init(serial: UInt64, thread: Thread, epoch: UInt64) {
        self.serial = serial
        self.thread = thread
        self.epoch = epoch
        self.forkGeneration = ForkGeneration.current
    }

    deinit { held.deallocate() }

    /// Records an acquired lock and returns the held locks whose order before it this thread
    /// has not validated yet (none when `validating` is false).
    func push(_ acquired: HeldLock, epoch current: UInt64, validating: Bool = true) -> [HeldLock] {
        lock.withLock {
            refresh(current)
            let unvalidated = validating ? unvalidatedLocked(before: acquired.id) : []
            append(acquired)
            return unvalidated
        }
    }

    /// The held locks whose order before `id` this thread has not validated yet.
    func unvalidated(before id: UInt64, epoch current: UInt64) -> [HeldLock] {
        lock.withLock {
            refresh(current)
            return unvalidatedLocked(before: id)
        }
    }

    private func unvalidatedLocked(before id: UInt64) -> [HeldLock] {
        var result: [HeldLock] = []
        for index in 0..<heldCount {
            let entry = held[index]
            if entry.id != id && !validatedPairs.contains(held: entry.id, acquired: id) { result.append(entry) }
        }
        return result
    }

    private func append(_ entry: HeldLock) {
        if heldCount < Self.capacity {
            (held + heldCount).initialize(to: entry)
            heldCount += 1
        } else {
            untracked += 1
        }
    }

    private var heldLocks: [HeldLock] { Array(UnsafeBufferPointer(start: held, count: heldCount)) }

    /// Forgets a released lock; returns whether this thread held it.
    func remove(_ id: UInt64) -> Bool {
        lock.withLock {
            // Usually the most recent acquisition; search down from the top.
            var index = heldCount - 1
            while index >= 0 && held[index].id != id { index -= 1 }
            guard index >= 0 else { return false }
            heldCount -= 1
            while index < heldCount {
                held[index] = held[index + 1]
                index += 1
            }
            if heldCount == 0 { untracked = 0 }
            return true
        }
    }

    func beginWait(_ record: Waiting, epoch current: UInt64) {
        lock.withLock {
            refresh(current)
            waiting = record
        }
    }

    /// Ends a wait; `acquired` is the lock now held, nil after a timeout or a deadlock.
    func endWait(acquired: HeldLock?) {
        lock.withLock {
            waiting = nil
            if let acquired { append(acquired) }
        }
    }

    /// A copy of what this thread holds and waits for; empty if the record is from an older
    /// epoch (the detector was off since).
    func snapshot(epoch current: UInt64) -> Snapshot {
        lock.withLock {
            epoch == current
                ? Snapshot(state: self, held: heldLocks, untracked: untracked, waiting: waiting, hasExited: exited)
                : Snapshot(state: self, held: [], untracked: 0, waiting: nil, hasExited: exited)
        }
    }

    /// Marks the thread as ended; returns whether the record can be dropped (holds nothing).
    func markExited() -> Bool {
        lock.withLock {
            exited = true
            return heldCount == 0
        }
    }

    /// Whether the thread ended and the record holds nothing more.
    var isDisposable: Bool { lock.withLock { exited && heldCount == 0 } }

    /// Held entries from before the detector was last switched on say nothing about now.
    private func refresh(_ current: UInt64) {
        if epoch != current {
            epoch = current
            heldCount = 0
            untracked = 0
            waiting = nil
        }
    }
}
