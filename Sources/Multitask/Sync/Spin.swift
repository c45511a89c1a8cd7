/// The spin loop under ``SpinPolicy``, also used directly by the shared-memory queue and the
/// benchmarks' hand-shakes.
package enum Spin {
    /// Spin ceiling for lock hand-offs (short critical sections), in nanoseconds.
    static let lockBudget: Int64 = 8_000
    /// The widest gap between two polls of a lock waiter's spin, in pauses (about 0.8 µs at
    /// this machine's 25 ns `pause`): see ``SpinPolicy/lockHandOff``.
    static let lockPollSpacing = 32
    /// Spin ceiling for signalling waits (events, semaphores, conditions, queues), in nanoseconds.
    static let signalBudget: Int64 = 8_000
    /// A gap this long between two clock readings of a spin means the thread lost its CPU in
    /// between, in nanoseconds. A reading comes every 8 polls, about 0.5 µs apart (a `pause`
    /// costs 50–70 ns), while giving the CPU to another thread and getting it back takes
    /// microseconds.
    static let preemptionGap: Int64 = 1_500

    /// How a spin ended.
    struct Outcome: Equatable, Sendable {
        /// Whether the condition held when the spin ended.
        let succeeded: Bool
        /// Nanoseconds from the start of the spin to its end.
        let spun: Int64
        /// Whether the thread lost its CPU during the spin, which then ended at once: another
        /// thread wanted this CPU, perhaps the very thread the spin was waiting for.
        let preempted: Bool
    }

    /// Spins for about `budget` nanoseconds until `done` returns true; returns its last answer.
    /// Ends early when the thread loses its CPU on the way (``Outcome/preempted``).
    @inline(__always)
    package static func until(budget: Int64, _ done: () -> Bool) -> Bool {
        if done() { return true }
        return spin(budget: budget, done).succeeded
    }

    /// Spins until `done` returns true, without asking first, for about `budget` nanoseconds,
    /// or until the thread loses its CPU: a gap of ``preemptionGap`` between two readings of
    /// the clock. A spin that succeeds right after such a gap also counts as preempted: the
    /// other side may have answered only because it got this CPU. The first polls read no
    /// clock: a hand-off that lands within them (both sides running) costs no clock reading
    /// (two readings were 140 ns of a 390 ns `Event` ping-pong round trip) and counts as
    /// spun for no time.
    ///
    /// `pollSpacing` above 1 spaces the polls out: `done` is asked after 1, 2, 4, … pauses, at
    /// most `pollSpacing` apart (the clock is still read every 8 pauses). A lock waiter needs
    /// that (``SpinPolicy/lockHandOff``): each poll pulls the lock's cache line away from the
    /// holder, whose next acquire or release then waits for it back.
    @inline(__always)
    static func spin(budget: Int64, pollSpacing: Int = 1, _ done: () -> Bool) -> Outcome {
        var polls = PollSchedule(spacingLimit: pollSpacing)
        for _ in 0..<8 {
            CPU.relax()
            if polls.isDue() && done() { return Outcome(succeeded: true, spun: 0, preempted: false) }
        }
        return spin(budget: budget, done, polls: &polls, from: Deadline.now.nanoseconds)
    }

    /// The rest of ``spin(budget:pollSpacing:_:)``: spins from `start`, reading the clock every
    /// 8 pauses.
    @inline(__always)
    private static func spin(budget: Int64, _ done: () -> Bool, polls: inout PollSchedule, from start: Int64) -> Outcome {
        let end = start + budget
        var last = start
        while true {
            for _ in 0..<8 {
                CPU.relax()
                if polls.isDue() && done() {
                    let now = Deadline.now.nanoseconds
                    return Outcome(succeeded: true, spun: now - start, preempted: now - last >= preemptionGap)
                }
            }
            let now = Deadline.now.nanoseconds
            if now - last >= preemptionGap { return Outcome(succeeded: done(), spun: now - start, preempted: true) }
            if now >= end { return Outcome(succeeded: done(), spun: now - start, preempted: false) }
            last = now
        }
    }

    /// When a spin asks its condition: after every pause (a spacing limit of 1), or after
    /// gaps of pauses that double up to the limit.
    struct PollSchedule {
        /// The widest gap between two polls, in pauses (at least 1).
        let spacingLimit: Int
        /// Pauses left before the next poll.
        private var pausesLeft = 1
        /// The current gap between polls, in pauses.
        private var spacing = 1

        init(spacingLimit: Int) { self.spacingLimit = max(1, spacingLimit) }

        /// Counts one pause; returns whether the condition is due to be asked after it.
        @inline(__always)
        mutating func isDue() -> Bool {
            pausesLeft -= 1
            guard pausesLeft == 0 else { return false }
            spacing = min(spacing * 2, spacingLimit)
            pausesLeft = spacing
            return true
        }
    }
}
