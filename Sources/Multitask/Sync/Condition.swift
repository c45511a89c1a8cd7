/// A condition variable with Python's `threading.Condition` semantics.
///
/// A condition is a lock (an ``RLock`` of its own, or a ``Lock``/``RLock`` you pass in) plus
/// a way to sleep until another thread signals that something changed. Call `wait` and
/// `notify` only while holding the lock; doing otherwise is a programmer error and stops the
/// program. `wait` releases the lock while it sleeps (every level of a re-entered ``RLock``)
/// and holds it again, at the same depth, when it returns. A wait ends only when a notify
/// picked it or its timeout passed, and `notify(count:)` ends exactly `count` waits (all of
/// them when fewer threads wait), whether the waiters are threads of this process or of
/// others; it does not pick the longest waiting ones first. Another thread may take the lock
/// between the notify and the woken thread: re-check the state you wait for, or let
/// `wait(for:timeout:)` do it. A negative timeout is a programmer error.
///
/// `Condition()` synchronizes the threads of one process; `Condition(placement: .shared)`
/// (or `Condition(lock:placement:)` on a shared lock) lives in shared memory and also
/// synchronizes the threads of fork children started after it.
///
/// ```swift
/// let ready = Condition()
/// // consumer
/// ready.withLock { _ = ready.wait(for: { !items.isEmpty }); take(items.removeFirst()) }
/// // producer
/// ready.withLock { items.append(x); ready.notify() }
/// ```
public final class Condition: Lockable, SyncPrimitive {
    enum Underlying: Sendable {
        case lock(Lock)
        case rlock(RLock)
    }

    let underlying: Underlying
    let storage: SyncStorage
    private let core: ConditionCore

    /// Creates a process-local condition with its own ``RLock``.
    public convenience init() {
        self.init(lock: RLock(), storage: Self.localStorage())
    }

    /// Creates a process-local condition on `lock`, which may also be used on its own.
    public convenience init(lock: Lock) {
        self.init(lock: lock, storage: Self.localStorage())
    }

    /// Creates a process-local condition on `lock`, which may also be used on its own.
    public convenience init(lock: RLock) {
        self.init(lock: lock, storage: Self.localStorage())
    }

    /// The condition's name in messages and handles.
    static var kind: StaticString { "Condition" }
    /// The number of words a condition keeps its state in (its lock has its own).
    static var wordCount: Int { ConditionCore.wordCount }

    /// A condition on `lock` whose words are `storage` (see `Condition(placement:)`).
    convenience init(lock: Lock, storage: SyncStorage) {
        self.init(underlying: .lock(lock), storage: storage)
    }

    /// A condition on `lock` whose words are `storage` (see `Condition(placement:)`).
    convenience init(lock: RLock, storage: SyncStorage) {
        self.init(underlying: .rlock(lock), storage: storage)
    }

    init(underlying: Underlying, storage: SyncStorage) {
        self.underlying = underlying
        self.storage = storage
        core = ConditionCore(storage: storage, first: 0)
    }

    // MARK: The lock

    /// Acquires the underlying lock.
    public func acquire(file: StaticString = #fileID, line: UInt = #line) {
        switch underlying {
        case .lock(let lock): lock.acquire(file: file, line: line)
        case .rlock(let lock): lock.acquire(file: file, line: line)
        }
    }

    /// Waits at most `timeout` for the underlying lock; returns whether it was acquired.
    public func acquire(timeout: Duration, file: StaticString = #fileID, line: UInt = #line) -> Bool {
        switch underlying {
        case .lock(let lock): lock.acquire(timeout: timeout, file: file, line: line)
        case .rlock(let lock): lock.acquire(timeout: timeout, file: file, line: line)
        }
    }

    /// Acquires the underlying lock if that is possible without waiting.
    public func tryAcquire(file: StaticString = #fileID, line: UInt = #line) -> Bool {
        switch underlying {
        case .lock(let lock): lock.tryAcquire(file: file, line: line)
        case .rlock(let lock): lock.tryAcquire(file: file, line: line)
        }
    }

    /// Releases the underlying lock.
    public func release() {
        switch underlying {
        case .lock(let lock): lock.release()
        case .rlock(let lock): lock.release()
        }
    }

    // MARK: Waiting

    /// Releases the lock, sleeps until notified, and takes the lock back.
    public func wait() { _ = wait(until: nil) }

    /// Like ``wait()``, giving up after `timeout`; returns `false` if the time ran out
    /// (`true` if a notify picked this waiter as its time ran out). The lock is held again
    /// when this returns, either way.
    @discardableResult
    public func wait(timeout: Duration) -> Bool { wait(until: .timeout(timeout, of: "Condition.wait(timeout:)")) }

    /// Waits until `predicate` returns true or `timeout` passes (nil: no limit); returns the
    /// predicate's last answer (Python's `wait_for`). The predicate runs with the lock held,
    /// first before any waiting.
    ///
    /// ```swift
    /// let gotOne = cond.withLock { cond.wait(for: { !queue.isEmpty }, timeout: .seconds(1)) }
    /// ```
    @discardableResult
    public func wait<Failure: Error>(
        for predicate: () throws(Failure) -> Bool, timeout: Duration? = nil
    ) throws(Failure) -> Bool {
        checkHeld("wait(for:timeout:)")
        let deadline = timeout.map { Deadline.timeout($0, of: "Condition.wait(for:timeout:)") }
        var result = try predicate()
        while !result {
            if let deadline, deadline.hasPassed { break }
            _ = wait(until: deadline)
            result = try predicate()
        }
        return result
    }

    func wait(until deadline: Deadline?) -> Bool {
        checkHeld("wait()")
        switch underlying {
        case .lock(let lock):
            return core.wait(until: deadline, unlock: { lock.release() }, relock: { lock.acquire() })
        case .rlock(let lock):
            var depth: UInt32 = 0
            return core.wait(
                until: deadline,
                unlock: { depth = lock.releaseFully() },
                relock: { lock.reacquire(depth: depth) }
            )
        }
    }

    // MARK: Notifying

    /// Ends the waits of `count` threads waiting on this condition, or of all of them when
    /// fewer wait (none if nobody waits): exactly that many `wait` calls return, in this and
    /// other processes. Call it with the lock held.
    public func notify(count: Int = 1) {
        checkHeld("notify()")
        core.notify(count)
    }

    /// Ends the waits of every thread waiting on this condition. Call it with the lock held.
    public func notifyAll() {
        checkHeld("notifyAll()")
        core.notifyAll()
    }

    /// The number of `wait` calls under way that no notify has picked yet; for tests.
    var unpickedWaiters: Int { Int(core.waiters.load() &- core.wakeUps.load()) }

    /// Traps unless the caller holds the lock. A ``Lock`` has no owner, so for it "held"
    /// means "locked by some thread", as in Python.
    private func checkHeld(_ operation: String) {
        checkProcess()
        switch underlying {
        case .lock(let lock):
            if !lock.isLocked { lockNotHeld(lock, operation) }
        case .rlock(let lock):
            if !lock.isOwnedByCurrentThread { lock.notOwned(operation, type: "Condition", advice: Self.advice) }
        }
    }

    static let advice = "; call it between the condition's acquire() and release()"

    @inline(never)
    private func lockNotHeld(_ lock: Lock, _ operation: String) -> Never {
        fatalError("Condition.\(operation): the lock \(lock.debugName) is not locked\(Self.advice)")
    }
}
