import Synchronization

/// The synchronization of every thread queue: its lock, its three conditions, the element
/// and task counts and the shut-down flag, without the elements themselves.
///
/// It is not generic, so the blocking, timeout, task and shutdown logic exists once and runs
/// at full speed whatever the element type; the generic ``OrderedThreadQueue`` only moves
/// elements in and out of its ordering between a `begin` call (which returns with the lock
/// held) and the matching `end` call (which releases it).
///
/// Waking: a getter waits only on an empty queue, so a put notifies only when it makes the
/// queue non-empty; a get that leaves elements behind passes the notification on to the next
/// waiting getter (and symmetrically for putters of a bounded queue). Hence the invariant: while
/// elements are left, some waiting getter (if any) has been notified. Notifying once per
/// transition, rather than once per element, keeps a producer from paying a wake-up system
/// call per element while the consumer it already woke is on its way back.
///
/// Waiting: a waiter first spins briefly on the published count without registering on the
/// condition (a registered waiter makes every notify a system call), so a hand-off between
/// two running threads makes no system call.
@usableFromInline
// @unchecked: the mutable counts are guarded by `mutex`; the rest is immutable or atomic.
final class ThreadQueueCore: SyncPrimitive, @unchecked Sendable {
    /// The queue's words (``wordCount``).
    let storage: SyncStorage
    private let mutex: MutexCore
    private let notEmpty: ConditionCore
    private let notFull: ConditionCore
    private let allTasksDone: ConditionCore

    /// The bound; zero or less means none.
    let maxSize: Int
    /// The queue's type, named in misuse messages.
    private let queueType: Any.Type

    // Guarded by `mutex`.
    private var count: Int
    private var unfinishedTasks: Int
    private var isClosed = false

    // Written with `mutex` held, read without it: by the public snapshots, and by waiters
    // spinning before they register on a condition.
    private let publishedCount: Atomic<Int>
    private let publishedShutDown = Atomic<Bool>(false)

    init(maxSize: Int, count: Int, queueType: Any.Type) {
        let condition = ConditionCore.wordCount
        storage = Self.localStorage()
        mutex = MutexCore(word: storage.word(0))
        notEmpty = ConditionCore(storage: storage, first: 1)
        notFull = ConditionCore(storage: storage, first: 1 + condition)
        allTasksDone = ConditionCore(storage: storage, first: 1 + 2 * condition)
        self.maxSize = maxSize
        self.queueType = queueType
        self.count = count
        self.unfinishedTasks = count
        self.publishedCount = Atomic(count)
    }

    /// The queue as process-check messages name it.
    static var kind: StaticString { "a thread queue" }
    /// The words: the mutex, then `notEmpty`, `notFull` and `allTasksDone`.
    static var wordCount: Int { 1 + 3 * ConditionCore.wordCount }

    // MARK: Put and get

    /// Locks and waits for a free slot until `deadline` (nil: forever). Returns with the lock
    /// held: insert one element, then call ``endPut()``. Throws, with the lock released,
    /// `.shutDown` or, when the deadline passes, `.full`.
    @usableFromInline
    func beginPut(until deadline: Deadline?) throws(ThreadQueueError) {
        checkProcess()
        lock()
        if isClosed { unlock(); throw .shutDown }
        guard maxSize > 0 && count >= maxSize else { return }
        let bound = maxSize
        let ready = wait(
            on: notFull, until: deadline,
            hint: { publishedCount.load(ordering: .relaxed) < bound || publishedShutDown.load(ordering: .relaxed) },
            until: { count < bound || isClosed })
        if isClosed { unlock(); throw .shutDown }
        if !ready { unlock(); throw .full }
    }

    /// Records the element inserted after ``beginPut(_:)``, wakes a waiter if needed, unlocks.
    @usableFromInline
    func endPut() {
        count += 1
        unfinishedTasks += 1
        publishedCount.store(count, ordering: .relaxed)
        if count == 1 { notEmpty.notify(1) }
        if count < maxSize { notFull.notify(1) }
        unlock()
    }

    /// Locks and waits for an element until `deadline` (nil: forever). Returns with the lock
    /// held: remove one element, then call ``endGet()``. Throws, with the lock released,
    /// `.shutDown` once the queue is shut down and empty or, when the deadline passes, `.empty`.
    @usableFromInline
    func beginGet(until deadline: Deadline?) throws(ThreadQueueError) {
        checkProcess()
        lock()
        guard count == 0 else { return }
        let ready = wait(
            on: notEmpty, until: deadline,
            hint: { publishedCount.load(ordering: .relaxed) > 0 || publishedShutDown.load(ordering: .relaxed) },
            until: { count > 0 || isClosed })
        if count == 0 {
            unlock()
            throw ready ? .shutDown : .empty
        }
    }

    /// Records the element removed after ``beginGet(_:)``, wakes a waiter if needed, unlocks.
    @usableFromInline
    func endGet() {
        count -= 1
        publishedCount.store(count, ordering: .relaxed)
        if count > 0 { notEmpty.notify(1) }
        if count == maxSize - 1 { notFull.notify(1) }
        unlock()
    }

    // MARK: Shutdown

    /// Marks the queue shut down and locks. Returns with the lock held and how many
    /// elements to discard (all of them when `immediate`, else none): remove them, then call
    /// ``endShutdown(discarded:)``.
    func beginShutdown(immediate: Bool) -> Int {
        checkProcess()
        lock()
        isClosed = true
        publishedShutDown.store(true, ordering: .releasing)
        return immediate ? count : 0
    }

    /// Finishes the tasks of the `discarded` elements, wakes every waiter, unlocks.
    func endShutdown(discarded: Int) {
        if discarded > 0 {
            count -= discarded
            unfinishedTasks = max(0, unfinishedTasks - discarded)
            publishedCount.store(count, ordering: .relaxed)
            if unfinishedTasks == 0 { allTasksDone.notifyAll() }
        }
        notEmpty.notifyAll()
        notFull.notifyAll()
        unlock()
    }

    // MARK: Tasks

    func taskDone() {
        lock()
        guard unfinishedTasks > 0 else {
            unlock()
            fatalError("\(queueType).taskDone(): called more times than there were elements put")
        }
        unfinishedTasks -= 1
        if unfinishedTasks == 0 { allTasksDone.notifyAll() }
        unlock()
    }

    func join(until deadline: Deadline?) -> Bool {
        checkProcess()
        lock()
        defer { unlock() }
        return wait(on: allTasksDone, until: deadline, spin: .none, hint: { false }, until: { unfinishedTasks == 0 })
    }

    // MARK: Snapshots

    var countSnapshot: Int { publishedCount.load(ordering: .acquiring) }

    var isShutDown: Bool { publishedShutDown.load(ordering: .acquiring) }

    var unfinishedTaskCount: Int {
        lock()
        defer { unlock() }
        return unfinishedTasks
    }

    // MARK: Waiting

    /// The deadline of `operation` (such as `"get(timeout:)"`) waiting at most `timeout`; a
    /// negative timeout stops the program with a message naming the queue's type (the rule of
    /// `Deadline.timeout(_:of:)`), whether or not the call would have had to wait.
    @usableFromInline
    func deadline(_ timeout: Duration, of operation: StaticString) -> Deadline {
        .timeout(timeout, of: "\(queueType).\(operation)")
    }

    @inline(__always) private func lock() { _ = mutex.lock(until: nil) }
    @inline(__always) private func unlock() { _ = mutex.unlock() }

    /// With the lock held, waits on `condition` until `ready()` holds or `deadline` passes;
    /// returns `ready()`. The lock is held again on return.
    ///
    /// `hint` is `ready()` read without the lock: the caller spins on it for `spin`'s budget
    /// before registering on `condition`, so that a hand-off between two running threads costs
    /// the other side no wake-up system call.
    @inline(__always)
    private func wait(
        on condition: ConditionCore, until deadline: Deadline?,
        spin: SpinPolicy = .signal, hint: () -> Bool, until ready: () -> Bool
    ) -> Bool {
        if ready() { return true }
        if let deadline, deadline.hasPassed { return false }
        return waitSlow(on: condition, until: deadline, spin: spin, hint: hint, ready: ready)
    }

    @inline(never)
    private func waitSlow(
        on condition: ConditionCore, until deadline: Deadline?,
        spin: SpinPolicy, hint: () -> Bool, ready: () -> Bool
    ) -> Bool {
        if spin.budget > 0 {
            unlock()
            _ = spin.spin(until: hint)
            lock()
            if ready() { return true }
        }
        while true {
            let notified = condition.wait(until: deadline, unlock: { unlock() }, relock: { lock() })
            if ready() { return true }
            if !notified || (deadline?.hasPassed ?? false) { return false }
        }
    }
}
