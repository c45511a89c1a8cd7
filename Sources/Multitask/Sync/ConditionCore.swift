/// The futex condition-variable algorithm on three words: a sequence number that waiters
/// sleep on, the number of registered waiters, and the number of wake-ups granted and not yet
/// taken.
///
/// Every change of `waiters` and `wakeUps` is made with the associated lock held, so plain
/// loads and stores suffice for them. `notify(n)` grants `min(n, waiters - wakeUps)` wake-ups
/// (never more than there are waiters not yet covered), bumps the sequence and wakes that many
/// sleepers. A waiter that wakes takes the lock back and then returns only if it can take a
/// wake-up; otherwise (it woke for a wake-up another waiter took first, or spuriously) it
/// sleeps again. So `notify(count:)` ends exactly as many waits as it granted, however many
/// threads or processes saw the sequence change. A waiter whose deadline passes takes a
/// granted wake-up if there is one (it may have been woken for it, and no other sleeper was)
/// and returns `true`; otherwise it unregisters and returns `false`.
///
/// The deadline of the futex wait is only a hint: the outcome is decided with the lock held.
/// Waiters are not served in arrival order. Invariant, with the lock held:
/// `wakeUps <= waiters`.
struct ConditionCore: Sendable {
    let sequence: FutexWord
    let waiters: FutexWord
    let wakeUps: FutexWord

    /// The number of words a condition keeps its state in, from `first` on.
    static let wordCount = 3

    /// The condition on words `first`, `first + 1` and `first + 2` of `storage`.
    init(storage: SyncStorage, first: Int) {
        sequence = storage.word(first)
        waiters = storage.word(first + 1)
        wakeUps = storage.word(first + 2)
    }

    /// Waits for a notify or for `deadline`; returns `false` if the deadline passed first.
    /// Call with the lock held; `unlock` releases it, `relock` takes it back, and the lock is
    /// held again when this returns.
    func wait(until deadline: Deadline?, unlock: () -> Void, relock: () -> Void) -> Bool {
        waiters.store(waiters.load() &+ 1)
        while true {
            // Read with the lock held: a notify, made under the lock too, comes after it and
            // changes the sequence, so the sleep below cannot miss it.
            let seen = sequence.load()
            unlock()
            let expired = !sequence.park(until: deadline, spin: .signal, poll: { sequence.loadRelaxed() != seen }) {
                sequence.load() == seen ? .sleep(expecting: seen) : .done
            }
            relock()
            let granted = wakeUps.load()
            if granted > 0 {
                wakeUps.store(granted - 1)
                waiters.store(waiters.load() &- 1)
                return true
            }
            if expired || (deadline?.hasPassed ?? false) {
                waiters.store(waiters.load() &- 1)
                return false
            }
        }
    }

    /// Ends up to `count` waits. Call with the lock held.
    func notify(_ count: Int) {
        let granted = wakeUps.load()
        let uncovered = waiters.load() &- granted
        // More wake-ups than waiters only if a peer wrote garbage into shared memory.
        guard count > 0, uncovered > 0, uncovered <= waiters.load() else { return }
        let grant = UInt32(min(count, Int(uncovered)))
        wakeUps.store(granted + grant)
        sequence.add(1)
        sequence.wake(Int32(clamping: grant))
    }

    /// Ends every wait. Call with the lock held.
    func notifyAll() { notify(Int(UInt32.max)) }
}
