/// The deadlock monitor's thread records: finding the calling thread's record on the hot path,
/// creating it on a thread's first observed operation, dropping it at thread exit, and starting
/// afresh in a fork child.
extension DeadlockMonitor {
    /// The calling thread's record.
    @inline(__always)
    func currentRecord() -> ThreadLockState {
        guard let raw = LockObserverThreadSlot.current else { return attachCurrentThread() }
        let record = Unmanaged<ThreadLockState>.fromOpaque(raw).takeUnretainedValue()
        if _slowPath(record.forkGeneration != ForkGeneration.current) { return startAfterFork() }
        return record
    }

    /// The thread's first observed operation: its record goes into the thread-local slot that
    /// owns it, and into the C slot that the hot path reads.
    @inline(never)
    func attachCurrentThread() -> ThreadLockState {
        let record = Self.records.value.record
        LockObserverThreadSlot.current = Unmanaged.passUnretained(record).toOpaque()
        return record
    }

    /// A new record for the calling thread, known to the monitor (under the global lock).
    func registerCurrentThread() -> ThreadLockState {
        let thread = Thread.current
        return withGlobalLock {
            lastThreadSerial += 1
            let record = ThreadLockState(serial: lastThreadSerial, thread: thread, epoch: currentEpoch)
            threads[ObjectIdentifier(record)] = record
            return record
        }
    }

    /// At thread exit: the record goes, unless the thread still holds locks that another thread
    /// may release (then dumps show them as held by the ended thread).
    func threadDidExit(_ record: ThreadLockState) {
        // A record from before a fork may be locked by a thread that does not exist here.
        guard record.forkGeneration == ForkGeneration.current else { return }
        withGlobalLock {
            if record.markExited() { threads[ObjectIdentifier(record)] = nil }
        }
    }

    /// Whether a fork happened since the monitor last reset its state.
    var forkGenerationChanged: Bool { forkGeneration != ForkGeneration.current }

    /// In a fork child only the forking thread exists, and a parent thread may have held any
    /// detector lock at the moment of fork: start from empty records.
    func resetAfterFork() {
        lock.reinitializeAfterFork()
        // First, so that a `Lock` destroyed by dropping the old records finds the state reset.
        forkGeneration = ForkGeneration.current
        epoch.add(1, ordering: .relaxed)
        threads = [:]
    }

    /// The calling thread's first observed operation in a fork child: a fresh record in both slots.
    func startAfterFork() -> ThreadLockState {
        if forkGenerationChanged { resetAfterFork() }
        let record = registerCurrentThread()
        Self.records.value = RecordHandle(record)
        LockObserverThreadSlot.current = Unmanaged.passUnretained(record).toOpaque()
        return record
    }
}

/// Owns a thread's record for the thread-local slot; its release at thread exit tells the
/// monitor.
final class RecordHandle {
    let record: ThreadLockState
    init(_ record: ThreadLockState) { self.record = record }
    deinit {
        // Runs on the thread itself (thread exit, or a fork child replacing its record).
        if LockObserverThreadSlot.current == Unmanaged.passUnretained(record).toOpaque() {
            LockObserverThreadSlot.current = nil
        }
        DeadlockMonitor.shared.threadDidExit(record)
    }
}
