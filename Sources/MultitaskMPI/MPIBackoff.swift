/// How long an MPI thread with nothing to do waits before it polls MPI again: not at all for
/// the first rounds after some activity (a reply is usually a few microseconds away), then
/// from 20 µs, doubling up to `ceiling`. Open MPI's own blocking calls spin at 100% of a CPU;
/// this keeps an idle rank well under 10% while a busy one answers at once.
struct MPIBackoff {
    /// Rounds without activity during which the thread polls without sleeping.
    static let spinRounds = 32
    /// The first sleep.
    static let firstWait = Duration.microseconds(20)

    /// The longest sleep.
    let ceiling: Duration
    private var idleRounds = 0
    private var wait = MPIBackoff.firstWait

    init(ceiling: Duration = .milliseconds(1)) {
        self.ceiling = ceiling
    }

    /// Something happened: poll eagerly again.
    mutating func reset() {
        idleRounds = 0
        wait = Self.firstWait
    }

    /// Nothing happened this round: how long to wait now (nil: poll again at once).
    mutating func idle() -> Duration? {
        idleRounds += 1
        guard idleRounds > Self.spinRounds else { return nil }
        defer { wait = min(wait * 2, ceiling) }
        return wait
    }
}
