#if MPI
import CMPI
import Glibc
#endif

/// How long an MPI thread with nothing to do waits before it polls MPI again: for
/// ``spinWindow`` after the last activity it only yields the CPU between polls (a reply is
/// usually a few tens of microseconds away); then each sleep is a quarter of the quiet time so
/// far, from ``firstWait`` up to the ceiling it is given. Open MPI's own blocking calls spin at
/// 100% of a CPU; this keeps an idle rank well under 10% while a busy one answers at once.
///
/// Sleeping a fraction of the quiet time (rather than doubling each sleep) bounds how late a
/// message is seen to a quarter of how long it took to come: on a loaded machine, where a
/// round trip outlasts the spin window, lateness on one side does not feed on the other's.
struct MPIBackoff {
    /// How long after some activity the thread polls without sleeping.
    static let spinWindow = Duration.microseconds(150)
    /// The shortest sleep.
    static let firstWait = Duration.microseconds(10)

    private var lastActivity = ContinuousClock.now

    /// Something happened: poll eagerly again.
    mutating func reset() {
        lastActivity = ContinuousClock.now
    }

    /// Nothing happened this round: how long to sleep now, at most `ceiling` (nil: the CPU was
    /// yielded, poll again at once).
    func idle(ceiling: Duration) -> Duration? {
        let quiet = ContinuousClock.now - lastActivity
        guard quiet > Self.spinWindow else {
            #if MPI
            sched_yield()
            #endif
            return nil
        }
        return min(max(quiet / 4, Self.firstWait), ceiling)
    }

    /// Makes the calling thread's short sleeps as long as asked: Linux lets a timed wait of a
    /// normal thread end up to 50 µs late (its timer slack), longer than the first sleeps here.
    static func preciseSleeps() {
        #if MPI
        _ = cmpi_set_timer_slack(1_000)
        #endif
    }
}
