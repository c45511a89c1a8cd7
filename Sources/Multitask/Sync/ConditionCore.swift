/// The futex condition-variable algorithm on two words: a sequence number and a count of
/// registered waiters.
///
/// All calls are made with the associated lock held. A waiter registers under the lock before
/// it reads the sequence, so a notify that sees no registered waiter can skip the syscall. A waiter reads the sequence, drops
/// the lock and sleeps while the sequence is unchanged; notify bumps the sequence and wakes.
/// Like POSIX condition variables, a wait may return without a matching notify: callers
/// re-check their predicate (the public `Condition.wait(for:)` does).
struct ConditionCore: Sendable {
    let sequence: FutexWord
    let waiters: FutexWord

    /// Waits for a notify or for `deadline`; returns `false` if the deadline passed.
    /// `unlock` releases the caller's lock, `relock` takes it back before this returns.
    func wait(until deadline: Deadline?, unlock: () -> Void, relock: () -> Void) -> Bool {
        waiters.add(1)
        let seen = sequence.load()
        unlock()
        var notified = Spin.until(budget: Spin.signalBudget) { sequence.loadRelaxed() != seen }
        while !notified {
            if !sequence.wait(whileEqualTo: seen, until: deadline) {
                notified = sequence.load() != seen
                break
            }
            // A futex return is a hint only: a wake aimed at an older sequence, or EINTR.
            notified = sequence.load() != seen
        }
        // Unregister before taking the lock back: a waiter that is awake needs no wake-up, so
        // a notifier running meanwhile must not pay a futex syscall for it.
        waiters.subtract(1)
        relock()
        return notified
    }

    /// Wakes up to `count` waiters. Call with the lock held.
    func notify(_ count: Int) {
        guard count > 0, waiters.load() != 0 else { return }
        sequence.add(1)
        sequence.wake(Int32(clamping: count))
    }

    /// Wakes every waiter. Call with the lock held.
    func notifyAll() {
        guard waiters.load() != 0 else { return }
        sequence.add(1)
        sequence.wakeAll()
    }
}
