import Synchronization

/// A futex word that waiters sleep on until another thread or process announces a change of
/// some state kept elsewhere (an "event count").
///
/// Bit 0 says a waiter may be asleep; the other bits count announcements. The announcer pays
/// one load when nobody sleeps. Correctness is the classic two-flag handshake: the announcer
/// publishes its change with a sequentially consistent store and then reads this word
/// (``signal()``); a waiter sets bit 0 with a sequentially consistent read-modify-write and
/// then re-reads the state (``wait(until:unless:)``), so one of the two sees the other.
/// Any announcement changes the word, which makes a waiter that is about to sleep on the old
/// value return at once.
struct EventCount: Sendable {
    let word: FutexWord

    @inline(__always)
    private var atomic: UnsafeMutablePointer<Atomic<UInt32>> { word.pointer }

    /// Announces a change that was published with a sequentially consistent store.
    @inline(__always)
    func signal() {
        let state = atomic.pointee.load(ordering: .sequentiallyConsistent)
        if state & 1 != 0 { wakeSleepers(state) }
    }

    /// Announces a change whatever the waiters' state (for rare events such as `close`).
    func signalAlways() { wakeSleepers(atomic.pointee.load(ordering: .sequentiallyConsistent) | 1) }

    @inline(never)
    private func wakeSleepers(_ seen: UInt32) {
        // Next count, bit 0 clear. A waiter that set bit 0 on `seen` after our load sleeps on
        // a value that is gone, so its futex wait returns at once.
        atomic.pointee.store((seen | 1) &+ 1, ordering: .sequentiallyConsistent)
        word.wakeAll()
    }

    /// Sleeps until the next announcement or `deadline`, unless `ready()` (which must read the
    /// state with sequentially consistent loads) is already true once registered.
    /// Returns `false` only when the deadline passed; callers re-check their state either way.
    func wait(until deadline: Deadline?, unless ready: () -> Bool) -> Bool {
        var state = atomic.pointee.load(ordering: .sequentiallyConsistent)
        if state & 1 == 0 {
            let (exchanged, _) = atomic.pointee.compareExchange(
                expected: state, desired: state | 1, ordering: .sequentiallyConsistent)
            // A failed exchange means an announcement (or another waiter) got in: re-check.
            if !exchanged { return true }
            state |= 1
        }
        if ready() { return true }
        let registered = state
        return word.park(until: deadline) { word.load() == registered ? .sleep(expecting: registered) : .done }
    }
}
