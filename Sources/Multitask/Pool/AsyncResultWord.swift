import Synchronization

/// The one state word of an ``AsyncResult``: a tiny lock for registering callbacks and
/// recording the outcome, the outcome's publication, readiness, a sleeper mark, and (for a
/// ``ThreadPool`` task, whose result is its job) whether the task started.
///
/// Waiting parks on the word itself (``FutexWord/park(until:spin:poll:prepare:)``); every
/// change is a read-modify-write that keeps the other bits, so a waiter that marked itself a
/// sleeper is never unmarked by another thread's change, only woken by `ready`.
@usableFromInline
struct AsyncResultWord {
    /// Held while callbacks are registered or the outcome is recorded (a few instructions).
    @inlinable static var locked: UInt32 { 1 }
    /// The outcome is written; it never changes again (published by the unlock that sets it).
    @inlinable static var recorded: UInt32 { 2 }
    /// The callbacks have run: waiting is over.
    @inlinable static var ready: UInt32 { 4 }
    /// A waiter may be asleep on the word: making it ready wakes every sleeper.
    @inlinable static var sleepers: UInt32 { 8 }
    /// The task began to run: cancelling can no longer fail it.
    @inlinable static var started: UInt32 { 16 }
    /// A callback is registered: completing must run it (completing a result without
    /// callbacks touches no callback storage, whose generic types cost lookups).
    @inlinable static var hasCallbacks: UInt32 { 32 }

    /// Invariant: points at an `Atomic<UInt32>` stored in the result object, which the caller
    /// keeps alive.
    @usableFromInline let pointer: UnsafeMutablePointer<Atomic<UInt32>>

    /// The word at `pointer`.
    @inlinable
    init(pointer: UnsafeMutablePointer<Atomic<UInt32>>) { self.pointer = pointer }

    @inlinable @inline(__always) func load() -> UInt32 { pointer.pointee.load(ordering: .acquiring) }

    /// Takes the lock; returns the state seen when taking it (with `locked` clear).
    @inlinable @inline(__always)
    func lock() -> UInt32 {
        let state = pointer.pointee.load(ordering: .relaxed)
        if state & Self.locked == 0,
           pointer.pointee.compareExchange(expected: state, desired: state | Self.locked, ordering: .acquiring).exchanged {
            return state
        }
        return lockSlow()
    }

    /// The contended lock: holders keep it for a few instructions, so spin, and give up the
    /// CPU now and then in case the holder was preempted (a machine with few cores).
    @inline(never) @usableFromInline
    func lockSlow() -> UInt32 {
        var tries = 0
        while true {
            let state = pointer.pointee.load(ordering: .relaxed)
            if state & Self.locked == 0,
               pointer.pointee.compareExchange(expected: state, desired: state | Self.locked, ordering: .acquiring).exchanged {
                return state
            }
            tries += 1
            if tries.isMultiple(of: 64) { CPU.yield() } else { CPU.relax() }
        }
    }

    /// Releases the lock and sets `bits` (which must be clear) in the same step.
    @inlinable @inline(__always)
    func unlock(setting bits: UInt32 = 0) {
        pointer.pointee.bitwiseXor(Self.locked | bits, ordering: .releasing)
    }

    /// Sets `started` unless the outcome is recorded or the task started already; returns
    /// whether it did. Waits out a holder of the lock, which may be about to record a
    /// cancellation.
    func claimStart() -> Bool {
        var state = pointer.pointee.load(ordering: .relaxed)
        while true {
            if state & (Self.recorded | Self.started) != 0 { return false }
            if state & Self.locked != 0 {
                CPU.relax()
                state = pointer.pointee.load(ordering: .relaxed)
                continue
            }
            let (exchanged, original) = pointer.pointee.compareExchange(
                expected: state, desired: state | Self.started, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            state = original
        }
    }

    /// Sets `ready` and wakes the waiters that may sleep.
    @inlinable @inline(__always)
    func markReady() {
        let before = pointer.pointee.bitwiseOr(Self.ready, ordering: .acquiringAndReleasing).oldValue
        if before & Self.sleepers != 0 { wakeSleepers() }
    }

    /// Releases the lock and sets `recorded` and `ready` in the same step (an outcome with
    /// no callbacks to run), then wakes the waiters that may sleep.
    @inlinable @inline(__always)
    func unlockRecordedReady() {
        let before = pointer.pointee.bitwiseXor(Self.locked | Self.recorded | Self.ready, ordering: .acquiringAndReleasing).oldValue
        if before & Self.sleepers != 0 { wakeSleepers() }
    }

    /// Wakes every thread asleep on the word.
    @usableFromInline
    func wakeSleepers() { FutexWord(pointer: pointer, isShared: false).wakeAll() }

    /// Waits until `ready` or `deadline` passes (nil: forever); returns whether ready.
    @inline(__always)
    func waitReady(until deadline: Deadline?) -> Bool {
        if load() & Self.ready != 0 { return true }
        return waitReadySlow(until: deadline)
    }

    @inline(never)
    private func waitReadySlow(until deadline: Deadline?) -> Bool {
        let atomic = pointer
        return FutexWord(pointer: atomic, isShared: false).park(
            until: deadline, spin: .signal, poll: { atomic.pointee.load(ordering: .acquiring) & Self.ready != 0 }
        ) {
            let state = atomic.pointee.load(ordering: .acquiring)
            if state & Self.ready != 0 { return .done }
            if state & Self.sleepers != 0 { return .sleep(expecting: state) }
            let marked = state | Self.sleepers
            let exchanged = atomic.pointee.compareExchange(expected: state, desired: marked, ordering: .acquiringAndReleasing).exchanged
            return exchanged ? .sleep(expecting: marked) : .retry
        }
    }
}
