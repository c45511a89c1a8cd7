#if MPI
import CMPI
import Glibc
#endif

/// How long an MPI thread with nothing to do waits before it polls MPI again.
///
/// Only a thread that awaits a message from MPI — a reply to a task in flight, or the next
/// task of a node with an idle worker — polls without sleeping, for ``spinWindow`` after the
/// last activity, yielding the CPU between polls (with free CPUs such a message comes 20–40 µs
/// after the last one). A thread that awaits only its own process (a node whose workers are
/// all busy, a front end with nothing in flight) sleeps at once: whatever it waits for rings
/// its doorbell, and MPI is looked at after each sleep. On 2 CPUs every thread that polls
/// takes a CPU from the threads that carry the task, so at most one side polls at a time.
///
/// The window is short because a yield need not give the CPU away: Linux's scheduler (EEVDF)
/// keeps running a yielding thread while the thread woken beside it is not yet eligible (it
/// had used more than its share, as these threads do). Measured (`perf sched`, all of a spawned pool's threads
/// on one CPU while a build held the other): the front end's thread polling for its reply
/// kept the node's woken thread from running for the whole window, 150 µs then, and the node
/// did the same to the front end on the way back — 430–470 µs round trips.
///
/// Each sleep is a fraction of the quiet time so far (rather than doubling each sleep): a
/// message awaited is seen at most an eighth of its wait late (at most ``expectingCeiling``),
/// anything else a quarter (at most ``restingCeiling``). A long task's reply costs a few
/// hundred polls per second, an idle rank fewer, so both stay far under 10% of a CPU, and
/// lateness on one side does not feed on the other's on a loaded machine.
struct MPIBackoff {
    /// How long after some activity a thread awaiting a message polls without sleeping.
    static let spinWindow = Duration.microseconds(50)
    /// The shortest sleep of a thread awaiting a message.
    static let firstWait = Duration.microseconds(10)
    /// The longest sleep of a thread awaiting a message.
    static let expectingCeiling = Duration.milliseconds(1)
    /// The shortest sleep of a thread that awaits nothing from MPI.
    static let restingFloor = Duration.microseconds(100)
    /// The longest sleep of a thread that awaits nothing from MPI.
    static let restingCeiling = Duration.milliseconds(2)
    /// How long a thread that is already running polls for a reply without yielding: the
    /// thread of an `apply` for its reply, a node's pool dispatcher for the next task after
    /// it sent the last outcome. Each learns with an `ActorLingerBudget` to skip its chances
    /// while they miss (on a loaded machine a thread that spins in vain only takes the CPU
    /// the other side needs).
    static let lingerWindow = Duration.microseconds(100)

    private var lastActivity = ContinuousClock.now

    /// Something happened: poll eagerly again.
    mutating func reset() {
        lastActivity = ContinuousClock.now
    }

    /// Nothing happened this round: how long to sleep now (nil: poll again at once).
    /// `expecting`: a message from MPI is awaited. `spinning`: the thread polls without
    /// yielding for this long after the last activity (nil: it polls for ``spinWindow``
    /// and yields the CPU between polls).
    func idle(expecting: Bool, spinning: Duration? = nil) -> Duration? {
        let quiet = ContinuousClock.now - lastActivity
        guard expecting else { return min(max(quiet / 4, Self.restingFloor), Self.restingCeiling) }
        guard quiet > spinning ?? Self.spinWindow else {
            #if MPI
            if spinning == nil { sched_yield() }
            #endif
            return nil
        }
        return min(max(quiet / 8, Self.firstWait), Self.expectingCeiling)
    }

    /// Makes the calling thread's short sleeps as long as asked: Linux lets a timed wait of a
    /// normal thread end up to 50 µs late (its timer slack), longer than the first sleeps here.
    static func preciseSleeps() {
        #if MPI
        _ = cmpi_set_timer_slack(1_000)
        #endif
    }
}
