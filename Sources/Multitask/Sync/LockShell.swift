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
        let raw = self.raw
        if reportsAcquisition(raw) { return observedAcquire(raw, file: file, line: line) }
        _ = raw.lock(until: nil)
    }

    /// Acquires, waiting until `deadline` (nil: forever); returns whether the lock was taken.
    @inline(__always)
    func shellAcquire(until deadline: Deadline?, at site: AcquisitionSite) -> Bool {
        checkProcess()
        let raw = self.raw
        if reportsAcquisition(raw) { return observedAcquire(raw, until: deadline, at: site) }
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

    /// Whether an acquire of `raw` by the caller goes through the detector: it is on, follows
    /// this lock, and the acquire is not a re-entry.
    @inline(__always)
    private func reportsAcquisition(_ raw: Raw) -> Bool {
        _slowPath(LockObservation.isOn) && observedAsLock && !raw.isHeldByCaller
    }

    /// Tells the detector that `raw` is about to be released, when that release opens the
    /// lock. Call it before the raw release.
    @inline(__always)
    func announceRelease(_ raw: Raw) {
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

    /// The acquire through the detector. `raw` is a plain value, so the closure captures no
    /// reference.
    @inline(never)
    func observedAcquire(_ raw: Raw, until deadline: Deadline?, at site: AcquisitionSite) -> Bool {
        LockObservation.acquire(self, until: deadline, at: site) { raw.lock(until: $0) }
    }

    @inline(never)
    private func observedAcquire(_ raw: Raw, file: StaticString, line: UInt) {
        _ = observedAcquire(raw, until: nil, at: AcquisitionSite(file: file, line: line))
    }
}
