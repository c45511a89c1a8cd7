import Testing
@testable import Multitask

/// The adaptive spin budget as a pure value (issue 16 item 2): no threads, no clocks.
@Suite("SpinEstimate")
struct SpinEstimateTests {
    private let ceiling: Int64 = 8_000

    @Test("a thread that never spun (zero bits) spins for the whole ceiling, and the bits round-trip")
    func freshAndBits() {
        let fresh = SpinEstimate(bits: 0, ceiling: ceiling)
        #expect(fresh.budget == ceiling && fresh.unprobedWaits == 0)
        #expect(fresh.plan().budget == ceiling && fresh.plan().next == fresh)
        let shrunk = fresh.afterSpin(succeeded: false, spun: ceiling)
        #expect(SpinEstimate(bits: shrunk.bits, ceiling: ceiling) == shrunk)
        var counted = SpinEstimate(bits: 0, ceiling: ceiling)
        while counted.budget > 0 { counted = counted.afterSpin(succeeded: false, spun: counted.budget) }
        counted = counted.plan().next.plan().next
        #expect(counted.unprobedWaits == 2 && SpinEstimate(bits: counted.bits, ceiling: ceiling) == counted)
    }

    @Test("spins that run out shrink the budget by quarters, to zero below a sixteenth of the ceiling")
    func failuresShrinkToZero() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        var budgets: [Int64] = []
        for _ in 0..<4 {
            estimate = estimate.afterSpin(succeeded: false, spun: estimate.budget)
            budgets.append(estimate.budget)
        }
        #expect(budgets == [2_000, 500, 0, 0])
    }

    @Test("at zero a wait does not spin, except one probe of an eighth of the ceiling every 16 waits")
    func probesAtZero() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        while estimate.budget > 0 { estimate = estimate.afterSpin(succeeded: false, spun: estimate.budget) }
        var spins: [Int64] = []
        for _ in 0..<32 {
            let (budget, next) = estimate.plan()
            spins.append(budget)
            estimate = budget > 0 ? next.afterSpin(succeeded: false, spun: budget) : next
        }
        let probes = spins.enumerated().filter { $0.element > 0 }
        #expect(probes.map(\.offset) == [15, 31])
        #expect(probes.allSatisfy { $0.element == ceiling / 8 })
        #expect(estimate.budget == 0)
    }

    @Test("a probe that succeeds restarts the budget, and successes double it back to the ceiling")
    func successesGrowBack() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        while estimate.budget > 0 { estimate = estimate.afterSpin(succeeded: false, spun: estimate.budget) }
        var budgets: [Int64] = []
        for _ in 0..<6 {
            estimate = estimate.afterSpin(succeeded: true, spun: 100)
            budgets.append(estimate.budget)
        }
        #expect(budgets == [1_000, 2_000, 4_000, 8_000, 8_000, 8_000])
    }

    @Test("a spin that succeeds only in the second half of its budget leaves the budget as it is")
    func lateSuccessDoesNotGrow() {
        let quarter = SpinEstimate(bits: 0, ceiling: ceiling).afterSpin(succeeded: false, spun: ceiling)
        #expect(quarter.budget == 2_000)
        #expect(quarter.afterSpin(succeeded: true, spun: 1_500).budget == 2_000)
        #expect(quarter.afterSpin(succeeded: true, spun: 1_000).budget == 4_000)
    }

    @Test("spins that succeed half the time, as beside busy threads, end at no spin")
    func mixedOutcomesDecay() {
        var estimate = SpinEstimate(bits: 0, ceiling: ceiling)
        for round in 0..<40 { estimate = estimate.afterSpin(succeeded: round % 2 == 0, spun: round % 2 == 0 ? 100 : estimate.budget) }
        #expect(estimate.budget < ceiling / 4)
        for _ in 0..<3 { estimate = estimate.afterSpin(succeeded: false, spun: estimate.budget) }
        #expect(estimate.budget == 0)
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
        // A condition true at once records nothing; no budget records nothing.
        let before = CPU.threadSpinEstimates
        #expect(SpinPolicy.signal.spin(until: { true }))
        #expect(!SpinPolicy.none.spin(until: { false }))
        #expect(CPU.threadSpinEstimates == before)
        // A spin that succeeds after a few polls keeps the signal estimate at its ceiling.
        var polls = 0
        #expect(SpinPolicy.signal.spin(until: { polls += 1; return polls == 3 }))
        #expect(CPU.threadSpinEstimates == before)
    }
}
