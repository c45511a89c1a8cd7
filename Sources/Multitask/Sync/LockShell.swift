/// The shell around a ``RawLock``: the process check and the deadlock detector's bookkeeping
/// (see ``LockObservation``), written once for ``Lock``, ``RLock`` and ``Semaphore``.
///
/// Everything here is `@inline(__always)` and generic over the conforming type, so each lock's
/// fast path is specialised to its own raw lock with no existential in it; with the detector
/// off the bookkeeping is one `_slowPath(LockObservation.isOn)` branch. The observed variants
/// are out of line, so that the fast paths need no extra registers or stack.
protocol LockShell: SyncPrimitive, ObservableLock {
    /// The lock algorithm.
    associatedtype Raw: RawLock
    /// The raw lock as the calling thread uses it.
    var raw: Raw { get }
    /// Whether the deadlock detector follows this lock (every lock; a semaphore only when
    /// it is a mutex in all but name).
    var observedAsLock: Bool { get }
}

extension LockShell {
    /// Every lock is followed by the detector.
    @inline(__always)
    var observedAsLock: Bool { true }

    /// Acquires, blocking until the lock is taken. Takes only scalars, like the out-of-line
    /// variant it may call, so that its caller's fast path stays lean.
    @inline(__always)
    func shellAcquire(file: StaticString, line: UInt) {
        checkProcess()
        if reportsAcquisition() { return observedAcquire(file: file, line: line) }
        _ = raw.lock(until: nil)
    }

    /// Acquires, waiting until `deadline` (nil: forever); returns whether the lock was taken.
    @inline(__always)
    func shellAcquire(until deadline: Deadline?, at site: AcquisitionSite) -> Bool {
        checkProcess()
        if reportsAcquisition() { return observedAcquire(until: deadline, at: site) }
        return raw.lock(until: deadline)
    }

    /// Acquires if that is possible without waiting; returns whether the lock was taken.
    @inline(__always)
    func shellTryAcquire(at site: AcquisitionSite) -> Bool {
        checkProcess()
        let raw = self.raw
        let reentry = raw.isHeldByCaller
        guard raw.tryLock() else { return false }
        if _slowPath(LockObservation.isOn) && observedAsLock && !reentry {
            LockObservation.didAcquire(self, at: site)
        }
        return true
    }

    /// Whether an acquire by the caller goes through the detector: it is on, follows this
    /// lock, and the acquire is not a re-entry. The raw lock is taken only when the detector
    /// is on, so the fast path takes it once, after the check.
    @inline(__always)
    private func reportsAcquisition() -> Bool {
        _slowPath(LockObservation.isOn) && observedAsLock && !raw.isHeldByCaller
    }

    /// Tells the detector that the lock is about to be released, when the caller's release
    /// opens it. Call it before the raw release. The raw lock is taken only when the detector
    /// is on, so the fast path keeps no copy of it.
    @inline(__always)
    func announceRelease() {
        if _slowPath(LockObservation.isOn) && observedAsLock && raw.releaseOpens {
            LockObservation.willRelease(self)
        }
    }

    /// The acquire without the detector's bookkeeping, for the detector's own acquire
    /// variants.
    func acquireUnobserved(until deadline: Deadline?) -> Bool {
        checkProcess()
        return raw.lock(until: deadline)
    }

    // The acquire through the detector. It takes the raw lock afresh rather than as an
    // argument: a raw lock passed out of line would have to be written to the stack on the
    // fast path. The closure captures the raw lock, a plain value, and no reference.
    @inline(never)
    private func observedAcquire(until deadline: Deadline?, at site: AcquisitionSite) -> Bool {
        let raw = self.raw
        return LockObservation.acquire(self, until: deadline, at: site) { raw.lock(until: $0) }
    }

    @inline(never)
    private func observedAcquire(file: StaticString, line: UInt) {
        _ = observedAcquire(until: nil, at: AcquisitionSite(file: file, line: line))
    }
}
