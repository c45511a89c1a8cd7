/// The futex mutex algorithm (Drepper, "Futexes Are Tricky", mutex 2), on one word.
///
/// States: 0 unlocked, 1 locked, 2 locked with possible sleepers. Ownerless: any thread may
/// unlock, which is what Python's `Lock` allows. Used by `Lock`, and as the inner lock of
/// `RLock`, `Condition` and `Barrier`.
struct MutexCore: Sendable {
    let word: FutexWord

    @inline(__always) func tryLock() -> Bool { word.compareExchange(0, 1).exchanged }

    /// Locks, waiting until `deadline` (nil: forever); returns `false` on timeout.
    @inline(__always)
    func lock(until deadline: Deadline?) -> Bool {
        if word.compareExchange(0, 1).exchanged { return true }
        return lockSlow(until: deadline)
    }

    @inline(never)
    func lockSlow(until deadline: Deadline?) -> Bool {
        if Spin.until(budget: Spin.lockBudget, { word.loadRelaxed() == 0 && tryLock() }) {
            return true
        }
        // From here on the state is 2 whenever we hold or wait, so unlock knows to wake.
        while word.exchange(2) != 0 {
            if !word.wait(whileEqualTo: 2, until: deadline) {
                return word.exchange(2) == 0
            }
        }
        return true
    }

    /// Unlocks; returns `false` if the lock was not locked (the caller reports the misuse).
    @inline(__always)
    func unlock() -> Bool {
        let previous = word.exchange(0)
        if previous == 2 { word.wake(1) }
        return previous != 0
    }

    var isLocked: Bool { word.load() != 0 }
}
