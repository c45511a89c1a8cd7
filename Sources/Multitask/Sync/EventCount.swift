import Synchronization

/// A futex word that waiters sleep on until another thread or process announces a change of
/// some state kept elsewhere (an "event count").
///
/// Bit 0 says a waiter may be asleep; the other bits count announcements. The announcer pays
/// one load when nobody sleeps. Correctness is the classic two-flag handshake: the announcer
/// publishes its change with a sequentially consistent store and then reads this word
/// (``signal()``); a waiter sets bit 0 with a sequentially consistent read-modify-write and
/// then re-reads the state (``wait(until:spin:for:)``), so one of the two sees the other.
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

    /// Waits until `ready()` holds or `deadline` passes, on the park core: spins for `spin`'s
    /// budget on `ready`, then registers as a sleeper (bit 0), re-checks `ready` and sleeps
    /// until the next announcement, as often as needed. `ready` must read the state with
    /// sequentially consistent loads. Returns `false` only when the deadline passed with
    /// `ready()` still false.
    @inline(__always)
    func wait(until deadline: Deadline?, spin: SpinPolicy = .signal, for ready: () -> Bool) -> Bool {
        word.park(until: deadline, spin: spin, poll: ready) { registerUnless(ready) }
    }

    /// Sets bit 0 (a waiter may sleep), then asks `ready`: the `prepare` step of ``wait(until:spin:for:)``.
    @inline(__always)
    private func registerUnless(_ ready: () -> Bool) -> ParkStep {
        var state = atomic.pointee.load(ordering: .sequentiallyConsistent)
        if state & 1 == 0 {
            let (exchanged, _) = atomic.pointee.compareExchange(
                expected: state, desired: state | 1, ordering: .sequentiallyConsistent)
            // A failed exchange means an announcement (or another waiter) got in: ask again.
            if !exchanged { return .retry }
            state |= 1
        }
        return ready() ? .done : .sleep(expecting: state)
    }
}
