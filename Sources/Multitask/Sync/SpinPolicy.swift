/// How long a waiter busy-waits before it sleeps on a futex.
///
/// Waking a sleeping thread on another CPU costs microseconds (tens on some VMs,
/// `notes/swift-probes.md`, probe 3); when the other side answers within a few microseconds,
/// spinning first turns a round trip from several microseconds into well under one. But a spin
/// only pays off while the other side is running: on an oversubscribed machine the spinner
/// holds the CPU the other side needs (issue 16: an `Event` ping-pong beside two busy threads
/// took 19 µs with a fixed 8 µs spin, 2.3 µs without). So the budget is a ceiling: each thread
/// keeps a ``SpinEstimate`` per kind of wait, which shrinks to nothing while spins fail (run
/// out, or lose their CPU) and grows back while they succeed. The budget is time, not iterations: a `pause` costs ~10 ns on
/// some CPUs and ~65 ns on this machine's EPYC.
struct SpinPolicy: Sendable {
    /// The most this kind of wait spins, in nanoseconds; zero or less: no spinning.
    let budget: Int64
    /// Which of the thread's estimates adapts the budget (its bit offset in the thread's
    /// slot, ``CPU/threadSpinEstimates``).
    let estimateShift: UInt64
    /// The widest gap between two polls of the spin, in pauses (``Spin/spin(budget:pollSpacing:_:)``).
    var pollSpacing = 1

    /// No spinning: sleep at once (a fork or a child's exit takes far longer than any spin,
    /// and on a machine with few cores a spinning waiter takes the CPU the other side needs).
    static var none: SpinPolicy { SpinPolicy(budget: 0, estimateShift: 0) }
    /// Lock hand-offs (short critical sections). The polls space out to ``Spin/lockPollSpacing``
    /// pauses: a waiter that polls the lock word at every pause takes its cache line from a
    /// holder that keeps re-acquiring the lock at every poll, and catches the lock in the few
    /// nanoseconds between one of its releases and its next acquire (issue 16: two threads ×
    /// 10^6 `withLock` handed the lock back and forth 10–40 thousand times, 10–30 ns/op,
    /// where a waiter that sleeps lets the holder run on at 5 ns/op).
    static var lockHandOff: SpinPolicy {
        SpinPolicy(budget: Spin.lockBudget, estimateShift: 0, pollSpacing: Spin.lockPollSpacing)
    }
    /// Signalling waits (events, semaphores, conditions, queues): a poll at every pause (the
    /// word is written once by the other side, which polls do not slow).
    static var signal: SpinPolicy { SpinPolicy(budget: Spin.signalBudget, estimateShift: 32) }

    /// Spins until `done` returns true, for as long as the calling thread's estimate for this
    /// kind of wait allows (at most ``budget``); returns its last answer. Asks `done` once
    /// without spinning when it is true at once or there is no budget.
    @inline(__always)
    func spin(until done: () -> Bool) -> Bool {
        if done() { return true }
        guard budget > 0 else { return false }
        return spinAdapting(done)
    }

    /// Tells the calling thread's estimate for this kind of wait that the thread just set
    /// something a waiter was awake for (``SpinEstimate/hintPartnerAwake()``).
    func hintPartnerAwake() {
        let slot = CPU.threadSpinEstimates
        let estimate = SpinEstimate(bits: UInt32(truncatingIfNeeded: slot >> estimateShift), ceiling: budget)
        let next = estimate.hintPartnerAwake()
        if next != estimate { store(next, in: slot) }
    }

    /// Writes `estimate` into the thread's slot, whose value was `slot`.
    @inline(__always)
    private func store(_ estimate: SpinEstimate, in slot: UInt64) {
        let mask = UInt64(UInt32.max) << estimateShift
        CPU.threadSpinEstimates = slot & ~mask | UInt64(estimate.bits) << estimateShift
    }

    /// The spin after a first `done()` that was false: plans it with the thread's estimate and
    /// records how it went.
    @inline(__always)
    private func spinAdapting(_ done: () -> Bool) -> Bool {
        let slot = CPU.threadSpinEstimates
        let estimate = SpinEstimate(bits: UInt32(truncatingIfNeeded: slot >> estimateShift), ceiling: budget)
        let (spinBudget, counted) = estimate.plan()
        var next = counted, succeeded = false
        if spinBudget > 0 {
            let outcome = Spin.spin(budget: spinBudget, pollSpacing: pollSpacing, done)
            succeeded = outcome.succeeded
            next = counted.after(outcome)
        }
        if next != estimate { store(next, in: slot) }
        return succeeded
    }
}
