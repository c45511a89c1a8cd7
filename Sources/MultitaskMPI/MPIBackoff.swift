#if MPI
import Glibc
#endif

/// How long an MPI thread with nothing to do waits before it polls MPI again: for
/// ``spinWindow`` after the last activity it only yields the CPU between polls (a reply is
/// usually a few tens of microseconds away), then it sleeps from 10 µs, doubling up to the
/// ceiling it is given. Open MPI's own blocking calls spin at 100% of a CPU; this keeps an
/// idle rank well under 10% while a busy one answers at once.
struct MPIBackoff {
    /// How long after some activity the thread polls without sleeping.
    static let spinWindow = Duration.microseconds(150)
    /// The first sleep.
    static let firstWait = Duration.microseconds(10)

    private var lastActivity = ContinuousClock.now
    private var wait = MPIBackoff.firstWait

    /// Something happened: poll eagerly again.
    mutating func reset() {
        lastActivity = ContinuousClock.now
        wait = Self.firstWait
    }

    /// Nothing happened this round: how long to sleep now, at most `ceiling` (nil: the CPU was
    /// yielded, poll again at once).
    mutating func idle(ceiling: Duration) -> Duration? {
        guard ContinuousClock.now - lastActivity > Self.spinWindow else {
            #if MPI
            sched_yield()
            #endif
            return nil
        }
        defer { wait = min(wait * 2, ceiling) }
        return min(wait, ceiling)
    }
}
