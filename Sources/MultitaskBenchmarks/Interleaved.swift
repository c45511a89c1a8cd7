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
