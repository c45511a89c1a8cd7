import CShim
import Synchronization

/// One 32-bit atomic word that threads (or processes) can sleep on.
///
/// Every blocking primitive in Multitask is a few of these words plus a state machine. The
/// word may live in private memory (thread use) or in shared memory (process use); `isShared`
/// picks the futex flavour accordingly.
struct FutexWord: @unchecked Sendable {
    /// Invariant: points at an initialized `Atomic<UInt32>` that outlives every use of this value.
    let pointer: UnsafeMutablePointer<Atomic<UInt32>>
    /// Whether the word may be shared with other processes.
    let isShared: Bool

    @inline(__always) func load() -> UInt32 { pointer.pointee.load(ordering: .acquiring) }
    @inline(__always) func loadRelaxed() -> UInt32 { pointer.pointee.load(ordering: .relaxed) }
    @inline(__always) func store(_ value: UInt32) { pointer.pointee.store(value, ordering: .releasing) }

    @inline(__always) func exchange(_ value: UInt32) -> UInt32 {
        pointer.pointee.exchange(value, ordering: .acquiringAndReleasing)
    }

    @inline(__always) func compareExchange(_ expected: UInt32, _ desired: UInt32) -> (exchanged: Bool, original: UInt32) {
        pointer.pointee.compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }

    @discardableResult @inline(__always)
    func add(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingAdd(delta, ordering: .acquiringAndReleasing).oldValue
    }

    @discardableResult @inline(__always)
    func subtract(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingSubtract(delta, ordering: .acquiringAndReleasing).oldValue
    }

    @discardableResult @inline(__always)
    func bitOr(_ bits: UInt32) -> UInt32 { pointer.pointee.bitwiseOr(bits, ordering: .acquiringAndReleasing).oldValue }

    @discardableResult @inline(__always)
    func bitAnd(_ bits: UInt32) -> UInt32 { pointer.pointee.bitwiseAnd(bits, ordering: .acquiringAndReleasing).oldValue }

    private var raw: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: UInt32.self)
    }

    /// Sleeps while the word equals `value`; returns `false` only if `deadline` passed.
    /// Spurious returns are possible: callers re-check their condition.
    @inline(__always)
    func wait(whileEqualTo value: UInt32, until deadline: Deadline?) -> Bool {
        Futex.wait(raw, expected: value, deadline: deadline, shared: isShared) == .awoke
    }

    /// Wakes up to `count` sleepers.
    @discardableResult
    func wake(_ count: Int32 = 1) -> Int { Futex.wake(raw, count: count, shared: isShared) }

    /// Wakes every sleeper.
    @discardableResult
    func wakeAll() -> Int { Futex.wake(raw, count: Int32.max, shared: isShared) }
}

/// Brief busy-waiting before a futex sleep.
///
/// Waking a sleeping thread on another CPU costs tens of microseconds on a VM
/// (`notes/swift-probes.md`, probe 3); when the other side answers within a few microseconds,
/// spinning first turns a round trip from ~45 µs into well under 1 µs. The budget is time,
/// not iterations: a `pause` costs ~10 ns on some CPUs and ~65 ns on this machine's EPYC, and a
/// long spin on an oversubscribed machine steals the time slice the other side needs.
enum Spin {
    /// Spin budget for lock hand-offs (short critical sections), in nanoseconds.
    static let lockBudget: Int64 = 2_000
    /// Spin budget for signalling waits (events, semaphores, conditions, queues), in nanoseconds.
    static let signalBudget: Int64 = 8_000

    /// Spins for about `budget` nanoseconds until `done` returns true; returns its last answer.
    @inline(__always)
    static func until(budget: Int64, _ done: () -> Bool) -> Bool {
        if done() { return true }
        return spinSlow(budget: budget, done)
    }

    @inline(__always)
    private static func spinSlow(budget: Int64, _ done: () -> Bool) -> Bool {
        let end = Deadline.now.nanoseconds + budget
        repeat {
            for _ in 0..<8 {
                cshim_cpu_relax()
                if done() { return true }
            }
        } while Deadline.now.nanoseconds < end
        return done()
    }
}

extension FutexWord {
    // Sequentially consistent forms, for hand-shakes across two words ("I registered as a
    // waiter, then read the value" against "I changed the value, then read the waiter count"):
    // acquire/release alone would let both sides read the old value of the other word.
    @inline(__always) func loadSequentiallyConsistent() -> UInt32 {
        pointer.pointee.load(ordering: .sequentiallyConsistent)
    }

    @discardableResult @inline(__always)
    func addSequentiallyConsistent(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingAdd(delta, ordering: .sequentiallyConsistent).oldValue
    }

    @discardableResult @inline(__always)
    func subtractSequentiallyConsistent(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingSubtract(delta, ordering: .sequentiallyConsistent).oldValue
    }

    @inline(__always)
    func compareExchangeSequentiallyConsistent(_ expected: UInt32, _ desired: UInt32) -> (exchanged: Bool, original: UInt32) {
        pointer.pointee.compareExchange(expected: expected, desired: desired, ordering: .sequentiallyConsistent)
    }

    @inline(__always) func storeRelaxed(_ value: UInt32) { pointer.pointee.store(value, ordering: .relaxed) }
}
