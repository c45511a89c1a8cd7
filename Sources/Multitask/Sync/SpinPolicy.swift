
/// How long a waiter busy-waits before it sleeps on a futex.
///
/// Waking a sleeping thread on another CPU costs tens of microseconds on a VM
/// (`notes/swift-probes.md`, probe 3); when the other side answers within a few microseconds,
/// spinning first turns a round trip from ~45 µs into well under 1 µs. The budget is time,
/// not iterations: a `pause` costs ~10 ns on some CPUs and ~65 ns on this machine's EPYC, and a
/// long spin on an oversubscribed machine steals the time slice the other side needs.
struct SpinPolicy: Sendable {
    /// The spin budget in nanoseconds; zero or less: no spinning.
    let budget: Int64

    /// No spinning: sleep at once (a fork or a child's exit takes far longer than any spin,
    /// and on a machine with few cores a spinning waiter takes the CPU the other side needs).
    static var none: SpinPolicy { SpinPolicy(budget: 0) }
    /// Lock hand-offs (short critical sections).
    static var lockHandOff: SpinPolicy { SpinPolicy(budget: Spin.lockBudget) }
    /// Signalling waits (events, semaphores, conditions, queues).
    static var signal: SpinPolicy { SpinPolicy(budget: Spin.signalBudget) }

    /// Spins for about the budget until `done` returns true; returns its last answer.
    /// With no budget, asks `done` once.
    @inline(__always)
    func spin(until done: () -> Bool) -> Bool {
        budget > 0 ? Spin.until(budget: budget, done) : done()
    }
}

/// The spin loop under ``SpinPolicy``, also used directly by the shared-memory queue and the
/// benchmarks' hand-shakes.
package enum Spin {
    /// Spin budget for lock hand-offs (short critical sections), in nanoseconds.
    static let lockBudget: Int64 = 2_000
    /// Spin budget for signalling waits (events, semaphores, conditions, queues), in nanoseconds.
    static let signalBudget: Int64 = 8_000

    /// Spins for about `budget` nanoseconds until `done` returns true; returns its last answer.
    @inline(__always)
    package static func until(budget: Int64, _ done: () -> Bool) -> Bool {
        if done() { return true }
        return spinSlow(budget: budget, done)
    }

    @inline(__always)
    private static func spinSlow(budget: Int64, _ done: () -> Bool) -> Bool {
        let end = Deadline.now.nanoseconds + budget
        repeat {
            for _ in 0..<8 {
                CPU.relax()
                if done() { return true }
            }
        } while Deadline.now.nanoseconds < end
        return done()
    }
}
