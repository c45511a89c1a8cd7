/// The error a ``Barrier`` throws when it is broken: by ``Barrier/abort()``, by a waiter
/// whose timeout passed, by an action that threw, or by ``Barrier/reset()`` while threads
/// were waiting (Python's `BrokenBarrierError`).
public enum BarrierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The barrier is (or was, for this wait) broken.
    case broken

    public var description: String { "the barrier is broken" }
}

/// The barrier algorithm (Python's `threading.Barrier`) on words: a ``MutexCore``, a
/// ``ConditionCore``, and `state`, `count`, `generation` and `parties`.
///
/// `count` is the number of threads waiting in the current generation. The thread that
/// completes a generation bumps `generation` and sets `count` to 0 in one critical section,
/// so the next generation can fill at once; an earlier waiter knows it passed because the
/// generation it arrived in has ended. Breaking (abort, a timeout, a failed action) and
/// resetting are states: waiters of the current generation leave with an error, and a reset
/// lets the next generation in only after the last of them has left.
struct BarrierCore: Sendable {
    static let filling: UInt32 = 0
    static let resetting: UInt32 = 1
    static let broken: UInt32 = 2

    let mutex: MutexCore
    let condition: ConditionCore
    let state: FutexWord
    let count: FutexWord
    let generation: FutexWord
    let parties: FutexWord

    /// Waits for the generation to fill and returns the arrival index; the last arrival runs
    /// `action` first. Throws ``BarrierError/broken``, or the action's error in the thread
    /// that ran it.
    func wait(until deadline: Deadline?, action: (() throws -> Void)?) throws -> Int {
        _ = mutex.lock(until: nil)
        defer { _ = mutex.unlock() }
        while state.load() == Self.resetting {
            // The reset waits for the last waiter of the old generation to leave; this wait
            // keeps its own deadline meanwhile.
            if !sleep(until: deadline) && state.load() == Self.resetting { throw BarrierError.broken }
        }
        if state.load() == Self.broken { throw BarrierError.broken }

        let index = count.load()
        // At or past `parties` only if a peer wrote garbage into shared memory: no arrival
        // index can be trusted any more.
        guard index < parties.load() else {
            breakBarrier()
            throw BarrierError.broken
        }
        let arrival = generation.load()
        if index + 1 == parties.load() {
            do {
                try action?()
            } catch {
                breakBarrier()
                throw error
            }
            generation.add(1)
            count.store(0)
            condition.notifyAll()
            return Int(index)
        }

        count.store(index + 1)
        while generation.load() == arrival && state.load() == Self.filling {
            if !sleep(until: deadline) && generation.load() == arrival && state.load() == Self.filling {
                breakBarrier()
            }
        }
        if generation.load() != arrival { return Int(index) }
        // Broken or being reset: leave, and let a reset finish once the last waiter is out.
        count.subtract(1)
        if count.load() == 0 && state.load() == Self.resetting {
            state.store(Self.filling)
            condition.notifyAll()
        }
        throw BarrierError.broken
    }

    /// Puts the barrier back to its initial state; current waiters get ``BarrierError/broken``.
    func reset() {
        withMutex {
            // A count past the parties can only be a peer's garbage: nobody to wait for.
            if count.load() >= parties.load() { count.store(0) }
            state.store(count.load() > 0 ? Self.resetting : Self.filling)
            condition.notifyAll()
        }
    }

    /// Breaks the barrier: current and future waiters get ``BarrierError/broken`` until a reset.
    func abort() { withMutex { breakBarrier() } }

    /// Waiting threads of the current generation (a snapshot).
    var waitingCount: Int { state.load() == Self.filling ? Int(count.load()) : 0 }

    var isBroken: Bool { state.load() == Self.broken }

    /// Call with the mutex held.
    private func breakBarrier() {
        state.store(Self.broken)
        condition.notifyAll()
    }

    /// Call with the mutex held; returns `false` if the deadline passed.
    @discardableResult
    private func sleep(until deadline: Deadline?) -> Bool {
        condition.wait(until: deadline, unlock: { _ = mutex.unlock() }, relock: { _ = mutex.lock(until: nil) })
    }

    private func withMutex(_ body: () -> Void) {
        _ = mutex.lock(until: nil)
        body()
        _ = mutex.unlock()
    }
}

/// A rendezvous for a fixed number of threads, with Python's `threading.Barrier` semantics.
///
/// Each of `parties` threads calls ``wait(timeout:)``; all of them block until the last one
/// arrives, then all pass together and the barrier is ready for the next round (a new
/// generation). Each thread gets a distinct arrival index in `0..<parties`. The optional
/// `action` runs once per generation, in the last thread to arrive, before any thread is
/// released. The barrier breaks, and every current and later waiter throws
/// ``BarrierError/broken`` until ``reset()``, when: ``abort()`` is called, a waiter's timeout
/// passes, or the action throws (the thread that ran it throws the action's error instead).
///
/// `Barrier(parties:)` synchronizes the threads of one process; `Barrier(parties:placement:
/// .shared)` lives in shared memory and counts threads of fork children started after it
/// too (its action then runs in the process of the last arrival).
///
/// ```swift
/// let barrier = Barrier(parties: 3)
/// // in each of 3 threads:
/// let index = try barrier.wait()
/// if index == 0 { print("all three arrived") }
/// ```
public final class Barrier: SyncPrimitive {
    let storage: SyncStorage
    let core: BarrierCore
    let action: (@Sendable () throws -> Void)?
    /// The number of threads that must call ``wait(timeout:)`` for them all to pass.
    public let parties: Int
    /// The timeout of a ``wait(timeout:)`` that does not give one (nil: none).
    public let timeout: Duration?

    /// Creates a barrier for `parties` threads (at least 1). `action` runs in the last thread
    /// to arrive, before the others are released, while the barrier's internal lock is held:
    /// it must not call ``wait(timeout:)``, ``reset()`` or ``abort()``. `timeout` is the
    /// default for ``wait(timeout:)``; a negative one is a programmer error.
    public convenience init(parties: Int, action: (@Sendable () throws -> Void)? = nil, timeout: Duration? = nil) {
        if let timeout { Deadline.checkTimeout(timeout, of: "Barrier(parties:timeout:)") }
        self.init(parties: parties, action: action, timeout: timeout, storage: Self.localStorage())
    }

    /// The barrier's name in messages and handles.
    static var kind: StaticString { "Barrier" }
    /// The number of words a barrier keeps its state in: its mutex, its condition, `state`,
    /// `count`, `generation` and `parties`.
    static var wordCount: Int { 1 + ConditionCore.wordCount + 4 }
    /// The word that holds `parties`, written at creation.
    static var partiesWord: Int { wordCount - 1 }

    /// A barrier on ``wordCount`` words of `storage`, process-local or placed in shared
    /// memory (see `Barrier(parties:placement:action:timeout:)`).
    init(parties: Int, action: (@Sendable () throws -> Void)?, timeout: Duration?, storage: SyncStorage) {
        guard parties >= 1, let words = UInt32(exactly: parties) else {
            fatalError("Barrier(parties: \(parties)): parties must be in 1...\(UInt32.max)")
        }
        self.storage = storage
        let afterCondition = 1 + ConditionCore.wordCount
        core = BarrierCore(
            mutex: MutexCore(word: storage.word(0)),
            condition: ConditionCore(storage: storage, first: 1),
            state: storage.word(afterCondition),
            count: storage.word(afterCondition + 1),
            generation: storage.word(afterCondition + 2),
            parties: storage.word(Self.partiesWord)
        )
        core.parties.store(words)
        self.parties = parties
        self.action = action
        self.timeout = timeout
    }

    /// Waits until all ``parties`` threads have called `wait`, and returns this thread's
    /// arrival index in `0..<parties`. `timeout` (by default the barrier's own) limits the
    /// wait; when it passes the barrier breaks. A negative timeout is a programmer error.
    ///
    /// - Throws: ``BarrierError/broken`` if the barrier is or becomes broken or is reset
    ///   during the wait; in the thread that ran the action, the error the action threw.
    @discardableResult
    public func wait(timeout: Duration? = nil) throws -> Int {
        checkProcess()
        let deadline = (timeout ?? self.timeout).map { Deadline.timeout($0, of: "Barrier.wait(timeout:)") }
        return try core.wait(until: deadline, action: action)
    }

    /// Returns the barrier to its initial state. Threads waiting on it throw
    /// ``BarrierError/broken``; new arrivals wait until they have all left.
    public func reset() {
        checkProcess()
        core.reset()
    }

    /// Breaks the barrier: waiting threads and later calls to ``wait(timeout:)`` throw
    /// ``BarrierError/broken`` until ``reset()``.
    public func abort() {
        checkProcess()
        core.abort()
    }

    /// The number of threads waiting in the current generation (a snapshot; Python's
    /// `n_waiting`).
    public var waitingCount: Int { core.waitingCount }

    /// Whether the barrier is broken.
    public var isBroken: Bool { core.isBroken }
}
