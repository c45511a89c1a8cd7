import Testing
@testable import Multitask

/// The adaptive spin budget as a pure value (issue 16 item 2): no threads, no clocks.
@Suite("SpinEstimate")
struct SpinEstimateTests {
    private let ceiling: Int64 = 8_000

    private func caught(after spun: Int64) -> Spin.Outcome { Spin.Outcome(succeeded: true, spun: spun, preempted: false) }
    private func ranOut(_ spun: Int64) -> Spin.Outcome { Spin.Outcome(succeeded: false, spun: spun, preempted: false) }
    private var preempted: Spin.Outcome { Spin.Outcome(succeeded: true, spun: 3_000, preempted: true) }

    /// An estimate whose budget has dropped to zero.
    private var atZero: SpinEstimate {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        while estimate.budget > 0 { estimate = estimate.after(ranOut(estimate.budget)) }
        return estimate
    }

    /// The budgets of `waits` waits from `estimate`, each spin ending with `outcome`.
    private func spins(from estimate: inout SpinEstimate, waits: Int, _ outcome: (Int64) -> Spin.Outcome) -> [Int64] {
        (0..<waits).map { _ in
            let (budget, next) = estimate.plan()
            estimate = budget > 0 ? next.after(outcome(budget)) : next
            return budget
        }
    }

    @Test("a thread that never spun (zero bits) spins for the whole ceiling, and the bits round-trip")
    func freshAndBits() {
        let fresh = SpinEstimate(bits: 0, ceiling: ceiling)
        #expect(fresh.budget == ceiling && fresh.unprobedWaits == 0 && fresh.failedProbes == 0 && fresh.hint == .none)
        #expect(fresh.plan().budget == ceiling && fresh.plan().next == fresh)
        let shrunk = fresh.after(ranOut(ceiling))
        #expect(SpinEstimate(bits: shrunk.bits, ceiling: ceiling) == shrunk)
        var counted = atZero.plan().next.plan().next
        #expect(counted.unprobedWaits == 2 && SpinEstimate(bits: counted.bits, ceiling: ceiling) == counted)
        _ = spins(from: &counted, waits: 200, ranOut)
        counted = counted.hintPartnerAwake()
        #expect(counted.failedProbes > 0 && SpinEstimate(bits: counted.bits, ceiling: ceiling) == counted)
        // Bits no estimate writes still decode within bounds.
        let garbage = SpinEstimate(bits: .max, ceiling: ceiling)
        #expect(garbage.budget == 0 && garbage.failedProbes == SpinEstimate.probeBackoffLimit)
    }

    @Test("spins that run out shrink the budget by quarters, to zero below a sixteenth of the ceiling")
    func failuresShrinkToZero() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        var budgets: [Int64] = []
        for _ in 0..<4 {
            estimate = estimate.after(ranOut(estimate.budget))
            budgets.append(estimate.budget)
        }
        #expect(budgets == [2_000, 500, 0, 0])
    }

    @Test("a spin that lost its CPU counts as failed even when the other side answered")
    func preemptedSpinsFail() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        estimate = estimate.after(preempted)
        #expect(estimate.budget == 2_000)
        estimate = estimate.after(preempted).after(preempted)
        #expect(estimate.budget == 0)
        let probed = estimate.after(preempted)
        #expect(probed.budget == 0 && probed.failedProbes == 1)
    }

    @Test("at zero a wait does not spin, except a probe of four ceilings every 16 waits, doubling the interval per failed probe")
    func probesAtZero() {
        var estimate = atZero
        let budgets = spins(from: &estimate, waits: 16 + 32 + 64 + 128, ranOut)
        let probes = budgets.enumerated().filter { $0.element > 0 }
        #expect(probes.map(\.offset) == [15, 47, 111, 239])
        #expect(probes.allSatisfy { $0.element == ceiling * 4 })
        #expect(estimate.budget == 0 && estimate.failedProbes == 4)
        _ = spins(from: &estimate, waits: 4_000, ranOut)
        #expect(estimate.currentProbeInterval == SpinEstimate.probeIntervalLimit)
    }

    @Test("a probe that succeeds restores the whole budget and the probe interval; early successes double a budget")
    func successesGrowBack() {
        var estimate = atZero
        _ = spins(from: &estimate, waits: 48, ranOut)
        #expect(estimate.failedProbes == 2)
        let budgets = spins(from: &estimate, waits: 64, caught(after:))
        #expect(budgets.firstIndex { $0 > 0 } == 63)
        #expect(estimate.budget == ceiling && estimate.failedProbes == 0)
        let quarter = estimate.after(ranOut(ceiling))
        #expect(quarter.after(caught(after: 900)).budget == 4_000)
    }

    @Test("a spin that succeeds only in the second half of its budget leaves the budget as it is")
    func lateSuccessDoesNotGrow() {
        let quarter = SpinEstimate(bits: 0, ceiling: ceiling).after(ranOut(ceiling))
        #expect(quarter.budget == 2_000)
        #expect(quarter.after(caught(after: 1_500)).budget == 2_000)
        #expect(quarter.after(caught(after: 1_000)).budget == 4_000)
    }

    @Test("spins that succeed half the time, as beside busy threads, end at no spin")
    func mixedOutcomesDecay() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        for round in 0..<40 { estimate = estimate.after(round % 2 == 0 ? caught(after: 100) : ranOut(estimate.budget)) }
        #expect(estimate.budget < ceiling / 4)
        for _ in 0..<3 { estimate = estimate.after(ranOut(estimate.budget)) }
        #expect(estimate.budget == 0)
    }

    @Test("a partner found awake makes the next wait at zero a probe; a hinted probe that fails stops hints until a spin succeeds")
    func hints() {
        #expect(SpinEstimate(bits: 0, ceiling: ceiling).hintPartnerAwake().hint == .none)  // a budget: no hint needed
        let hinted = atZero.hintPartnerAwake()
        #expect(hinted.hint == .pending)
        let (budget, probing) = hinted.plan()
        #expect(budget == ceiling * 4 && probing.hint == .probing && probing.unprobedWaits == 0)
        // Success: the whole ceiling.
        #expect(probing.after(caught(after: 20_000)).budget == ceiling)
        // Failure: hints distrusted, the regular probes go on.
        var distrusted = probing.after(ranOut(budget))
        #expect(distrusted.hint == .distrusted && distrusted.failedProbes == 1)
        #expect(distrusted.hintPartnerAwake() == distrusted)
        let budgets = spins(from: &distrusted, waits: 32, caught(after:))
        #expect(budgets.firstIndex { $0 > 0 } == 31)
        #expect(distrusted.hint == .none && distrusted.budget == ceiling)
    }

    @Test("the policies keep their estimates apart in the thread's slot, and a wait without budget leaves it alone")
    func policiesKeepApartInTheSlot() {
        let saved = CPU.threadSpinEstimates
        defer { CPU.threadSpinEstimates = saved }
        CPU.threadSpinEstimates = 0
        // A spin that runs out shrinks only the lock estimate.
        #expect(!SpinPolicy.lockHandOff.spin(until: { false }))
        let lock = SpinEstimate(bits: UInt32(truncatingIfNeeded: CPU.threadSpinEstimates), ceiling: Spin.lockBudget)
        #expect(lock.budget == Spin.lockBudget / 4)
        #expect(CPU.threadSpinEstimates >> 32 == 0)
        // A condition true at once records nothing; no budget records nothing; a hint with budget left records nothing.
        let before = CPU.threadSpinEstimates
        #expect(SpinPolicy.signal.spin(until: { true }))
        #expect(!SpinPolicy.none.spin(until: { false }))
        SpinPolicy.signal.hintPartnerAwake()
        #expect(CPU.threadSpinEstimates == before)
        // A spin that succeeds after a few polls keeps the signal estimate at its ceiling. The
        // spin lasts about 150 ns, but a preemption inside it (a loaded machine) rightly counts
        // as a failure: try again then; 100 preemptions in a row do not happen.
        var keptAtCeiling = false
        for _ in 0..<100 where !keptAtCeiling {
            CPU.threadSpinEstimates = before
            var polls = 0
            #expect(SpinPolicy.signal.spin(until: { polls += 1; return polls == 3 }))
            keptAtCeiling = CPU.threadSpinEstimates == before
        }
        #expect(keptAtCeiling)
    }

    /// The pauses (1-based) after which a spin with `spacingLimit` asks its condition, within the first `pauses`.
    private func pollPauses(spacingLimit: Int, pauses: Int) -> [Int] {
        var schedule = Spin.PollSchedule(spacingLimit: spacingLimit)
        return (1...pauses).filter { _ in schedule.isDue() }
    }

    @Test("a signal wait polls after every pause; a lock waiter's polls space out, doubling up to the limit")
    func pollSpacing() {
        #expect(pollPauses(spacingLimit: 1, pauses: 20) == Array(1...20))
        #expect(pollPauses(spacingLimit: 0, pauses: 5) == Array(1...5))
        #expect(pollPauses(spacingLimit: 8, pauses: 40) == [1, 3, 7, 15, 23, 31, 39])
        #expect(SpinPolicy.signal.pollSpacing == 1 && SpinPolicy.lockHandOff.pollSpacing == Spin.lockPollSpacing)
    }
}
