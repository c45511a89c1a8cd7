/// Runs several measurements round by round, so that a machine that drifts (another build
/// starting, a CPU throttling) weighs on all of them alike: round 1 of each, then round 2 of
/// each, and so on; each one's figure is the median of its rounds.
public enum Interleaved {
    /// One measurement: `rounds` samples, each taken by `sample`.
    public struct Contestant {
        /// How many samples it takes (one per round).
        let rounds: Int
        /// Takes one sample.
        let sample: () -> Double

        /// A measurement of `rounds` samples (a contestant with fewer rounds than another
        /// sits out the last rounds of the others).
        public init(rounds: Int, _ sample: @escaping () -> Double) {
            self.rounds = rounds
            self.sample = sample
        }
    }

    /// The median of each contestant's samples, in the order given.
    public static func medians(_ contestants: [Contestant]) -> [Double] {
        var samples = [[Double]](repeating: [], count: contestants.count)
        for round in 0..<(contestants.map(\.rounds).max() ?? 0) {
            for (index, contestant) in contestants.enumerated() where round < contestant.rounds {
                samples[index].append(contestant.sample())
            }
        }
        return samples.map(\.median)
    }

    /// The median of each of `samples` (all with `rounds` rounds), in the order given.
    public static func medians(rounds: Int, _ samples: [() -> Double]) -> [Double] {
        medians(samples.map { Contestant(rounds: rounds, $0) })
    }
}

extension Interleaved {
    /// Interleaved throughput samples pooled the way one long run pools them: rounds go on
    /// until at least `minimumRounds` ran and `window` has passed since the first began, and
    /// each contestant's figure is the harmonic mean of its samples.
    ///
    /// Each sample is a rate of the same amount of work (say 10^6 messages), so the harmonic
    /// mean is that work times the rounds over the time they took together — what a single
    /// run over the whole window reports (the C limit's 10^8-message ring). A median of short
    /// samples would instead report the state the machine was in for most of them, and a
    /// window of a fifth of a second can sit wholly in a slow or fast stretch of the cross-vCPU
    /// speed that a run of seconds averages over (METRICS.md, issue 16).
    public static func pooledRates(window: Duration, minimumRounds: Int, _ samples: [() -> Double]) -> [Double] {
        var inverseSums = [Double](repeating: 0, count: samples.count)
        var rounds = 0
        let start = ContinuousClock.now
        while rounds < minimumRounds || ContinuousClock.now - start < window {
            for (index, sample) in samples.enumerated() {
                inverseSums[index] += 1 / sample()
            }
            rounds += 1
        }
        return inverseSums.map { Double(rounds) / $0 }
    }
}
