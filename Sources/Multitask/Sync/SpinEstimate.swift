/// A running estimate of how long a waiter should spin before it sleeps (issue 16), kept per
/// thread and per kind of wait (``SpinPolicy``).
///
/// A spin pays off only while the other side runs on another CPU and answers within the
/// budget; when the machine is oversubscribed the other side is often waiting for a CPU, often
/// this very one, and a spinning waiter holds the CPU it needs. So the budget shrinks fast when
/// a spin fails (a quarter each time, to zero below a sixteenth of the ceiling) and grows back
/// only when spins succeed early, within half the budget (doubling, up to the ceiling). A spin
/// fails when it runs out, or when the thread lost its CPU during it (``Spin/Outcome``): then
/// another thread wanted this CPU, and an answer that came after such a gap came because the
/// other side got this CPU, at the price of a preemption, not because the spin paid. A spin
/// that succeeds late has cost about what sleeping would have, and leaves the budget as it is.
///
/// At zero a waiter sleeps at once, like a semaphore, except for a probe, a spin of
/// ``probeBudget``: one wait in ``probeInterval`` (doubling with each probe that fails, up to
/// ``probeIntervalLimit``), and the next wait after the thread set an event whose waiter was
/// awake (``hintPartnerAwake()``). Only a spin tells whether spinning pays (a waiter that
/// sleeps frees the CPU the other side may need, so a quick wake-up proves nothing). Two
/// threads that both sleep take turns on one CPU; the first spin that can succeed has to
/// outlast the other's wake-up on another CPU (about 20 µs on this VM): with probes shorter
/// than that, two threads that had both dropped to zero stayed asleep on a quiet machine
/// (2.3 µs round trips instead of 0.25). A probe that succeeds without losing its CPU restores
/// the whole budget; its partner, finding this thread awake when it sets, probes at its next
/// wait and so spins too. A hinted probe that fails stops hints until a spin succeeds, so that
/// a thread that sets events nobody waits on does not spin at each of its own waits.
///
/// A pure value in 32 bits, for the thread's slot: the shortfall from the ceiling in bits
/// 0–15 (so that zero bits, a thread that never spun, mean the whole ceiling), the waits since
/// the last probe in bits 16–25, the failed probes in a row in bits 26–28 and the hint's
/// state (``Hint``) in bits 29–30.
///
/// ```swift
/// let (budget, counted) = SpinEstimate(bits: slot, ceiling: 8_000).plan()
/// let outcome = Spin.spin(budget: budget, done)  // when budget > 0
/// slot = (budget > 0 ? counted.after(outcome) : counted).bits
/// ```
struct SpinEstimate: Equatable, Sendable {
    /// Whether the next probe comes from a hint, and whether hints are trusted.
    enum Hint: UInt32, Sendable {
        /// No hint: probes come every ``SpinEstimate/currentProbeInterval`` waits.
        case none = 0
        /// The thread found a waiter awake: its next wait probes.
        case pending
        /// The current probe comes from a hint.
        case probing
        /// A hinted probe failed: hints are ignored until a spin succeeds.
        case distrusted
    }

    /// The budget the estimate never exceeds, in nanoseconds (at most 65,535).
    let ceiling: Int64
    /// The current budget in nanoseconds, 0...``ceiling``.
    private(set) var budget: Int64
    /// Waits that did not spin since the last probe.
    private(set) var unprobedWaits: UInt32
    /// Probes that failed since the budget was last above zero, up to ``probeBackoffLimit``.
    private(set) var failedProbes: UInt32
    /// The hint's state.
    private(set) var hint: Hint

    /// One wait in this many probes while the budget is zero and no probe has failed yet.
    static var probeInterval: UInt32 { 16 }
    /// Each failed probe doubles the interval, this many times at most (to 512 waits).
    static var probeBackoffLimit: UInt32 { 5 }
    /// The longest interval between probes.
    static var probeIntervalLimit: UInt32 { probeInterval << probeBackoffLimit }

    /// What a probe spins for: four times the ceiling.
    var probeBudget: Int64 { ceiling * 4 }

    /// Below this a shrinking budget drops to zero: a sixteenth of the ceiling.
    private var floor: Int64 { ceiling / 16 }

    /// The estimate stored as `bits` (see the type's description), under `ceiling`.
    init(bits: UInt32, ceiling: Int64) {
        self.ceiling = ceiling
        budget = max(0, ceiling - Int64(bits & 0xFFFF))
        unprobedWaits = bits >> 16 & 0x3FF
        failedProbes = min(bits >> 26 & 7, Self.probeBackoffLimit)
        hint = Hint(rawValue: bits >> 29 & 3) ?? .none
    }

    /// The estimate in 32 bits.
    var bits: UInt32 {
        UInt32(min(ceiling - budget, 0xFFFF)) | min(unprobedWaits, 0x3FF) << 16 | failedProbes << 26 | hint.rawValue << 29
    }

    /// Waits between probes now: ``probeInterval``, doubled for each failed probe.
    var currentProbeInterval: UInt32 { Self.probeInterval << failedProbes }

    /// The estimate after the thread found the waiter of an event it set awake (no sleeper to
    /// wake): the next wait probes, unless the budget is above zero anyway or hints failed.
    func hintPartnerAwake() -> SpinEstimate {
        guard budget == 0 && hint == .none else { return self }
        var next = self
        next.hint = .pending
        return next
    }

    /// How long the next wait spins, and the estimate after counting that wait: the budget,
    /// or at zero a probe after a hint or every ``currentProbeInterval`` waits, and no spin
    /// otherwise.
    func plan() -> (budget: Int64, next: SpinEstimate) {
        if budget > 0 { return (budget, self) }
        var next = self
        if hint == .pending {
            next.hint = .probing
            return (probeBudget, next)
        }
        next.unprobedWaits += 1
        guard next.unprobedWaits >= currentProbeInterval else { return (0, next) }
        next.unprobedWaits = 0
        return (probeBudget, next)
    }

    /// The estimate after a wait that spun with `outcome` (a probe when the budget is zero).
    /// A spin that failed (ran out or lost its CPU) shrinks the budget to a quarter, or counts
    /// a failed probe. One that succeeded restores trust in hints and grows the budget: a
    /// probe to the whole ceiling, a spin that succeeded within half its budget to double,
    /// a later one not at all.
    func after(_ outcome: Spin.Outcome) -> SpinEstimate {
        var next = self
        if outcome.succeeded && !outcome.preempted {
            next.hint = .none
            if budget == 0 {
                next.budget = ceiling
                next.failedProbes = 0
            } else if outcome.spun <= budget / 2 {
                next.budget = min(ceiling, budget * 2)
            }
        } else if budget == 0 {
            next.failedProbes = min(failedProbes + 1, Self.probeBackoffLimit)
            if hint == .probing { next.hint = .distrusted }
        } else {
            let shrunk = budget / 4
            next.budget = shrunk < floor ? 0 : shrunk
        }
        return next
    }
}
