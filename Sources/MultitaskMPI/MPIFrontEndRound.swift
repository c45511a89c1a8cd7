#if MPI
import Multitask
import Synchronization

/// What one round of the front end's loop came to: the outcomes to deliver once it lets go
/// of the MPI lock (a result callback may submit again), and what comes next.
struct MPIFrontEndRound {
    /// What the loop does after the round.
    enum Next { case active, quiet, end, abandoned }

    /// Tasks answered, each with how to settle it.
    var settled: [(task: PoolRemoteTask, outcome: (PoolRemoteTask) -> Void)] = []
    var next = Next.quiet

    /// The round ends the loop (closed and drained, or terminated).
    func ending() -> MPIFrontEndRound {
        var round = self
        round.next = .end
        return round
    }
}

/// Where a front end's engine rings when a submission finds the MPI thread asleep: the front
/// end sends the task from the submitting thread, then the MPI thread is woken to poll for
/// the reply. The engine is made before the front end exists, so the front end is attached
/// after (weakly: it owns the engine).
final class MPIFrontEndBell: Sendable {
    private struct Target {
        weak var frontEnd: MPIFrontEnd?
    }

    private let target = Mutex(Target())
    private let doorbell: Event

    init(doorbell: Event) {
        self.doorbell = doorbell
    }

    /// Makes `frontEnd` the one that sends rung submissions.
    func attach(_ frontEnd: MPIFrontEnd) {
        target.withLock { $0.frontEnd = frontEnd }
    }

    /// Sends what was submitted, when the MPI lock is free, and wakes the MPI thread.
    func ring() {
        target.withLock { $0.frontEnd }?.submitted()
        doorbell.set()
    }

    /// The thread of an `apply` serves the front end until its result is ready (see
    /// ``MPIFrontEnd/serveWhileAwaiting(isReady:wait:)``); without a front end it rings.
    func serveWhileAwaiting(rang: Bool, isReady: () -> Bool, wait: (Duration) -> Bool) {
        guard let frontEnd = target.withLock({ $0.frontEnd }) else {
            if rang { doorbell.set() }
            return
        }
        frontEnd.serveWhileAwaiting(isReady: isReady, wait: wait)
    }
}
#endif
