/// The futex mutex algorithm (Drepper, "Futexes Are Tricky", mutex 2), on one word.
///
/// Process-local words use Drepper's states: 0 unlocked, 1 locked, 2 locked with possible
/// sleepers, and ``slowReleaseState``: locked, no sleepers, but released through the slow path
/// (see ``markHeldForSlowRelease()``). `Lock.release()` opens a local word by decrementing it
/// (Drepper's mutex 2 unlock), so a release that finds more than 1 leaves the word one lower
/// for a moment (1, or ``slowReleaseState`` - 1) until ``unlockAfterDecrement()`` clears it.
/// Process-shared words record who holds them, so that a process dying with the
/// lock held cannot block the others forever: 0 unlocked, otherwise the pid of the acquiring
/// process in the low 30 bits plus ``sharedSleepersBit``. A waiter that has slept about
/// ``ownerCheckInterval`` checks whether that process still exists and, if not, takes the
/// lock over (``Acquisition/ownerDied(pid:)``). Ownerless in the Python sense either way:
/// any thread, in any process, may unlock.
///
/// A shared word is hostile input (any process mapping it may write garbage): a word whose
/// owner field is no possible pid counts as held by a dead owner and is taken over at the
/// next check; a word naming a live process cannot be told from a held lock, so an untimed
/// acquire waits for it and a timed one returns at its deadline. Used by `Lock`, and as the inner lock of `RLock`,
/// `Condition`, `Barrier` and the shared-memory queue.
@usableFromInline
struct MutexCore: Sendable {
    @usableFromInline let word: FutexWord

    /// Set in a shared word while some waiter may be sleeping on it.
    static let sharedSleepersBit: UInt32 = 1 << 31
    /// The owner's pid in a shared word (Linux pids are below 2^22).
    static let sharedOwnerMask: UInt32 = (1 << 30) - 1
    /// How long a waiter on a shared word sleeps between checks that the owner still exists.
    static let ownerCheckInterval: Duration = .milliseconds(50)

    /// How an acquisition ended.
    enum Acquisition: Equatable, Sendable {
        case acquired
        /// Acquired from process `pid`, which had exited while holding the lock.
        case ownerDied(pid: Int32)
        case timedOut
    }

    /// Locks only if the lock is free: stores 1 in a process-local word, the caller's pid in
    /// a shared one.
    @inline(__always)
    func tryLock() -> Bool {
        if _slowPath(word.isShared) { return tryLockShared() }
        return word.compareExchange(0, 1).exchanged
    }

    /// ``tryLock()`` on a shared word.
    private func tryLockShared() -> Bool { word.compareExchange(0, UInt32(bitPattern: ProcessIdentity.pid)).exchanged }

    /// Locks, waiting until `deadline` (nil: forever); returns `false` on timeout.
    ///
    /// Taking a shared lock over from a dead owner counts as success and is reported on
    /// standard error, since this form cannot tell the caller; use ``acquire(until:)`` to
    /// handle it.
    @inline(__always)
    func lock(until deadline: Deadline?) -> Bool {
        if tryLock() { return true }
        return lockSlow(until: deadline)
    }

    /// Locks like ``lock(until:)`` and tells how the lock was obtained.
    @inline(__always)
    func acquire(until deadline: Deadline?) -> Acquisition {
        if tryLock() { return .acquired }
        if word.isShared { return lockSharedSlow(until: deadline) }
        return lockSlow(until: deadline) ? .acquired : .timedOut
    }

    @inline(never)
    func lockSlow(until deadline: Deadline?) -> Bool {
        if word.isShared {
            let outcome = lockSharedSlow(until: deadline)
            if case .ownerDied(let pid) = outcome {
                writeToStandardError("Multitask: a process-shared lock was held by process \(pid), which exited without releasing it; the lock was taken over and the data it guards may be inconsistent (acquireReportingDeadOwner() reports this to the caller)\n")
            }
            return outcome != .timedOut
        }
        // The state is 2 whenever we hold or wait after the spin, so unlock knows to wake.
        return word.park(until: deadline, spin: .lockHandOff, poll: { tryLockStayingFree() }) {
            word.exchange(2) == 0 ? .done : .sleep(expecting: 2)
        }
    }

    /// The shared-word slow path. Drepper's exchange trick would overwrite the owner's pid, so
    /// this one sets the sleepers bit with compare-and-exchange and keeps the pid readable.
    @inline(never)
    func lockSharedSlow(until deadline: Deadline?) -> Acquisition {
        if SpinPolicy.lockHandOff.spin(until: { tryLockStayingFree() }) { return .acquired }
        let mine = UInt32(bitPattern: ProcessIdentity.pid) | Self.sharedSleepersBit
        let claimOrRegister = { () -> ParkStep in
            let state = word.load()
            if state == 0 {
                // Keep the sleepers bit: others may still be asleep behind us.
                return word.compareExchange(0, mine).exchanged ? .done : .retry
            }
            if state & Self.sharedSleepersBit != 0 { return .sleep(expecting: state) }
            let marked = state | Self.sharedSleepersBit
            return word.compareExchange(state, marked).exchanged ? .sleep(expecting: marked) : .retry
        }
        // Sleep in slices of `ownerCheckInterval`, checking between them that the owner lives.
        while true {
            let nextOwnerCheck = Deadline.after(Self.ownerCheckInterval)
            let deadlineFirst = deadline.map { $0.nanoseconds < nextOwnerCheck.nanoseconds } ?? false
            if word.park(until: deadlineFirst ? deadline : nextOwnerCheck, prepare: claimOrRegister) { return .acquired }
            if deadlineFirst { return .timedOut }
            let current = word.load()
            let owner = Int32(bitPattern: current & Self.sharedOwnerMask)
            if current != 0 && ProcessIdentity.hasExited(owner) && word.compareExchange(current, mine).exchanged {
                return .ownerDied(pid: owner)
            }
            if let deadline, deadline.hasPassed { return .timedOut }
        }
    }

    /// A spinning waiter's poll: locks only if the word is free and still free a moment
    /// (``handOffConfirmationPauses``) later. A holder that re-acquires the lock at once (a
    /// loop of short critical sections) leaves it free for a few nanoseconds between its
    /// release and its next acquire; a waiter that took it there would turn one running holder
    /// into two threads passing the lock and its cache line back and forth, each slowing the
    /// other with its polls (issue 16). A holder that has left the lock leaves it free.
    @inline(__always)
    private func tryLockStayingFree() -> Bool {
        guard word.loadRelaxed() == 0 else { return false }
        for _ in 0..<Self.handOffConfirmationPauses { CPU.relax() }
        return word.loadRelaxed() == 0 && tryLock()
    }

    /// How many pauses a spinning waiter lets pass between seeing the lock free and taking it
    /// (about 0.2 µs at a 25 ns `pause`; a holder's release and re-acquire are nanoseconds
    /// apart).
    static var handOffConfirmationPauses: Int { 8 }

    /// Locks a process-local word if it is free (0 to 1): ``tryLock()`` for a caller that
    /// knows the word is not shared (``SyncStorage/admitsFastPath``).
    @inlinable @inline(__always)
    func tryLockLocal() -> Bool { word.compareExchange(0, 1).exchanged }

    /// Unlocks a process-local word that says 1 ("locked, no sleepers") by decrementing it:
    /// one `lock dec`, which costs less than the compare-and-exchange from 1 to 0 that
    /// `Mutex` unlocks with (issue 16: uncontended `Lock.withLock` 0.89x `Mutex.withLock`,
    /// 1.03x when this was that compare-and-exchange; AMD EPYC).
    /// `false` when the word said anything else: it is one lower all the same, and the caller
    /// must finish with ``unlockAfterDecrement()``. Never on a shared word, whose value is a pid.
    @inlinable @inline(__always)
    func unlockLocalByDecrement() -> Bool { word.decrement() == 0 }

    /// Finishes a release whose ``unlockLocalByDecrement()`` did not reach 0: opens the lock
    /// and wakes a sleeper if there may be one. Returns `false` if the lock was not locked
    /// (the decrement took 0 below zero; the caller reports the misuse).
    func unlockAfterDecrement() -> Bool {
        switch word.exchange(0) {
        // 1: it said 2 (sleepers) before the decrement. 2: a waiter registered since.
        case 1, 2: word.wake(1); return true
        // Held for a slow release and nobody came: nobody to wake.
        case Self.slowReleaseState - 1: return true
        default: return false
        }
    }

    /// What a process-local word says while its holder must release it through the slow path:
    /// locked, no sleepers. Not 3: the release decrements the word first, and what that leaves
    /// must not read as 1 or 2 (sleepers), which a waiter may write meanwhile.
    static var slowReleaseState: UInt32 { 4 }

    /// With the lock held by the caller: makes an uncontended process-local word say
    /// ``slowReleaseState``, so that ``unlockLocalByDecrement()`` fails and the release takes
    /// the slow path. A word that says 2 (sleepers) is left alone; a shared word always takes
    /// the slow path (see `Lock.release()`).
    func markHeldForSlowRelease() {
        if !word.isShared { _ = word.compareExchange(1, Self.slowReleaseState) }
    }

    /// Unlocks; returns `false` if the lock was not locked (the caller reports the misuse).
    @inline(__always)
    func unlock() -> Bool {
        let previous = word.exchange(0)
        if word.isShared {
            if previous & Self.sharedSleepersBit != 0 { word.wake(1) }
        } else if previous == 2 {
            word.wake(1)
        }
        return previous != 0
    }

    var isLocked: Bool { word.load() != 0 }

    /// The pid recorded in a shared word, nil when unlocked or process-local.
    var sharedOwner: Int32? {
        guard word.isShared else { return nil }
        let state = word.load()
        return state == 0 ? nil : Int32(bitPattern: state & Self.sharedOwnerMask)
    }
}
