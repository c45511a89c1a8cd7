import Testing
import MultitaskBenchmarks

/// `Interleaved.pooledRates`, the estimator of the ipc word-queue rows: equal-work samples
/// pooled as one long run would pool them (total work over total time).
@Suite("Pooled rates")
struct PooledRatesTests {
    @Test("a contestant's figure is the harmonic mean of its rates, rounds interleaved")
    func harmonicMeanOfInterleavedRounds() {
        var order: [Int] = []
        var alternating = [1.0, 3.0].makeIterator()
        let figures = Interleaved.pooledRates(window: .zero, minimumRounds: 2, [
            { order.append(0); return alternating.next()! },
            { order.append(1); return 2 },
        ])
        // Two samples of the same work at 1/s and 3/s take 1 + 1/3 time units for 2 units.
        #expect(figures == [1.5, 2])
        #expect(order == [0, 1, 0, 1])
    }

    @Test("rounds go on until the window has passed")
    func roundsFillTheWindow() {
        var rounds = 0
        _ = Interleaved.pooledRates(window: .milliseconds(30), minimumRounds: 1, [{
            rounds += 1
            let end = ContinuousClock.now + .milliseconds(10)
            while ContinuousClock.now < end {}
            return 1
        }])
        #expect(rounds >= 3)
    }
}
