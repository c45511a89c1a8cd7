/// A running estimate of how long a waiter should spin before it sleeps (issue 16), kept per
/// thread and per kind of wait (``SpinPolicy``).
///
/// A spin pays off only while the other side is running and answers within the budget; on an
/// oversubscribed machine the other side is often waiting for a CPU, and a spinning waiter holds
/// the very CPU it needs. So the budget shrinks fast when a spin runs out (a quarter each time,
/// to zero below a sixteenth of the ceiling) and grows back only when spins succeed early, within
/// half the budget (doubling, up to the ceiling): a spin that succeeds late, as when the other
/// side got a CPU only after a while, has cost about what sleeping would have, and leaves the
/// budget as it is. At zero a waiter sleeps at once, like a semaphore, except that one wait in
/// ``probeInterval`` spins for ``probeBudget``, so the budget recovers when the machine quietens.
///
/// A pure value in 32 bits, for the thread's slot: the shortfall from the ceiling in the low
/// half (so that zero bits, a thread that never spun, mean the whole ceiling) and the waits since
/// the last probe in the high half.
///
/// ```swift
/// let (budget, counted) = SpinEstimate(bits: slot, ceiling: 8_000).plan()
/// let succeeded = budget > 0 && Spin.until(budget: budget, done)
/// slot = (budget > 0 ? counted.afterSpin(succeeded: succeeded, spun: elapsed) : counted).bits
/// ```
struct SpinEstimate: Equatable, Sendable {
    /// The budget the estimate never exceeds, in nanoseconds (at most 65,535).
    let ceiling: Int64
    /// The current budget in nanoseconds, 0...``ceiling``.
    private(set) var budget: Int64
    /// Waits that did not spin since the last probe.
    private(set) var unprobedWaits: UInt32

    /// One wait in this many probes while the budget is zero.
    static var probeInterval: UInt32 { 16 }

    /// What a probe spins for: an eighth of the ceiling.
    var probeBudget: Int64 { ceiling / 8 }

    /// Below this a shrinking budget drops to zero: a sixteenth of the ceiling.
    private var floor: Int64 { ceiling / 16 }

    /// The estimate stored as `bits` (see the type's description), under `ceiling`.
    init(bits: UInt32, ceiling: Int64) {
        self.ceiling = ceiling
        budget = max(0, ceiling - Int64(bits & 0xFFFF))
        unprobedWaits = bits >> 16
    }

    /// The estimate in 32 bits.
    var bits: UInt32 {
        UInt32(min(ceiling - budget, 0xFFFF)) | min(unprobedWaits, 0xFFFF) << 16
    }

    /// How long the next wait spins, and the estimate after counting that wait: the budget,
    /// or at zero a probe every ``probeInterval`` waits and no spin otherwise.
    func plan() -> (budget: Int64, next: SpinEstimate) {
        if budget > 0 { return (budget, self) }
        var next = self
        next.unprobedWaits += 1
        guard next.unprobedWaits >= Self.probeInterval else { return (0, next) }
        next.unprobedWaits = 0
        return (probeBudget, next)
    }

    /// The estimate after a wait that spun for `spun` nanoseconds: doubled (at least to the
    /// probe's budget) when the spin succeeded within half the budget, unchanged when it
    /// succeeded later, a quarter when it ran out.
    func afterSpin(succeeded: Bool, spun: Int64) -> SpinEstimate {
        var next = self
        if succeeded {
            if spun <= max(budget, probeBudget) / 2 { next.budget = min(ceiling, max(budget * 2, probeBudget)) }
        } else {
            let shrunk = budget / 4
            next.budget = shrunk < floor ? 0 : shrunk
        }
        return next
    }
}
