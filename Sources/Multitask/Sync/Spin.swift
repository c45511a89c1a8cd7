/// The spin loop under ``SpinPolicy``, also used directly by the shared-memory queue and the
/// benchmarks' hand-shakes.
package enum Spin {
    /// Spin ceiling for lock hand-offs (short critical sections), in nanoseconds.
    static let lockBudget: Int64 = 8_000
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
    @inline(__always)
    static func spin(budget: Int64, _ done: () -> Bool) -> Outcome {
        for _ in 0..<8 {
            CPU.relax()
            if done() { return Outcome(succeeded: true, spun: 0, preempted: false) }
        }
        return spin(budget: budget, done, from: Deadline.now.nanoseconds)
    }

    /// The rest of ``spin(budget:_:)``: spins from `start`, reading the clock every 8 polls.
    @inline(__always)
    private static func spin(budget: Int64, _ done: () -> Bool, from start: Int64) -> Outcome {
        let end = start + budget
        var last = start
        while true {
            for _ in 0..<8 {
                CPU.relax()
                if done() {
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
}
