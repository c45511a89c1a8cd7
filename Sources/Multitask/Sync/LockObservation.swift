
/// The seam between the locks (this layer) and the deadlock detector (`Diagnostics/`).
///
/// Every observable lock checks ``isOn`` on acquire and release: with the detector off that is
/// one load of a C global and one predictable branch. When it is on, the lock calls the hooks
/// below, which forward to the ``LockObserver`` that the composition root
/// (`Sources/Multitask/LayerWiring.swift`) supplies; this layer never names the detector.
///
/// How a primitive is instrumented: ``LockShell`` does it once for every lock, around the
/// lock's ``RawLock``.
/// - blocking or timed acquire: `if _slowPath(LockObservation.isOn) { return observedAcquire(…) }`
///   before the plain path, where the `@inline(never)` method `observedAcquire` calls
///   `LockObservation.acquire(self, until: deadline, at: site) { raw.lock(until: $0) }`.
///   Keeping it out of line keeps the fast path free of extra registers and stack. The closure
///   is the raw, unobserved acquire: it must give up at its deadline (the observer first calls
///   it with a deadline in the past, to take a free lock without waiting, then in slices of
///   the wait threshold).
/// - successful try-acquire: `if _slowPath(LockObservation.isOn) { LockObservation.didAcquire(self, at: site) }`.
/// - release: `if _slowPath(LockObservation.isOn) { LockObservation.willRelease(self) }` before
///   the lock word is released.
/// - death: the lock's ``SyncStorage`` calls `LockObservation.lockDidDie(observation)` in its
///   `deinit`, once no object wraps its words any more.
/// A re-entrant lock calls none of these for a nested acquire or release by its owner: only the
/// first acquire and the last release are acquisitions.
@usableFromInline
enum LockObservation {
    /// Whether locks must report to the observer (or the mode is not resolved yet).
    @inlinable @inline(__always)
    static var isOn: Bool { LockObservationSwitch.mode != 0 }

    /// The raw mode word: 0 is off; the detector gives meaning to other values.
    static var mode: UInt32 {
        get { LockObservationSwitch.mode }
        set { LockObservationSwitch.mode = newValue }
    }

    /// Whether the mode still waits for its first resolution (environment variables).
    static var isUnresolved: Bool { LockObservationSwitch.mode == LockObservationSwitch.unresolved }

    /// The observer; creating it resolves the mode.
    static let observer: any LockObserver = makeLockObserver()

    /// The observer if observation is on after resolution, else nil.
    @inline(__always)
    private static var activeObserver: (any LockObserver)? {
        let observer = observer
        return isOn ? observer : nil
    }

    /// An observed acquire: `attempt(deadline)` is the raw acquire, waiting at most until
    /// `deadline` (nil: forever). Returns whether the lock was acquired.
    @inline(never)
    static func acquire(_ lock: some ObservableLock, until deadline: Deadline?, at site: AcquisitionSite, _ attempt: (Deadline?) -> Bool) -> Bool {
        guard let observer = activeObserver else { return attempt(deadline) }
        return observer.acquire(lock, until: deadline, at: site, attempt)
    }

    /// A try-acquire succeeded: the lock is held from now on.
    @inline(never)
    static func didAcquire(_ lock: some ObservableLock, at site: AcquisitionSite) {
        activeObserver?.didAcquire(lock, at: site)
    }

    /// The lock is about to be released, by any thread.
    @inline(never)
    static func willRelease(_ lock: some ObservableLock) {
        activeObserver?.willRelease(lock)
    }

    /// A lock is being destroyed; the observer forgets it if it ever saw it.
    @inline(__always)
    static func lockDidDie(_ slot: borrowing LockObservationSlot) {
        let id = slot.id
        if _slowPath(id != 0) { observer.lockDidDie(id) }
    }
}

/// What the deadlock detector implements to follow locks; see ``LockObservation``.
protocol LockObserver: AnyObject, Sendable {
    /// Acquires `lock` through `attempt` (the raw acquire with a deadline), recording the order
    /// of acquisition, the wait and the holder. Returns whether the lock was acquired.
    func acquire(_ lock: any ObservableLock, until deadline: Deadline?, at site: AcquisitionSite, _ attempt: (Deadline?) -> Bool) -> Bool
    /// `lock` was acquired without waiting (a successful try-acquire).
    func didAcquire(_ lock: any ObservableLock, at site: AcquisitionSite)
    /// `lock` is about to be released.
    func willRelease(_ lock: any ObservableLock)
    /// The lock with this id is being destroyed.
    func lockDidDie(_ id: UInt64)
}
