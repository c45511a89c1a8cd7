
/// The re-entrant mutex algorithm on three words: a ``MutexCore`` word, the owner's kernel
/// thread id (0: none) and the recursion depth.
///
/// Thread ids are unique across the whole system, so the same words work when they are placed
/// in memory shared by several processes. The owner word is written only by the owner (its own
/// id on the first acquire, 0 on the last release), so a thread that reads its own id there
/// holds the lock, and relaxed reads suffice; the depth is touched only by the owner.
struct RecursiveMutexCore: Sendable {
    let mutex: MutexCore
    let owner: FutexWord
    let depth: FutexWord

    /// The id this algorithm stores for the calling thread.
    @inline(__always)
    static var currentThread: UInt32 { UInt32(bitPattern: NativeThread.currentID) }

    /// Locks or re-enters, waiting until `deadline` (nil: forever); `false` on timeout.
    @inline(__always)
    func lock(until deadline: Deadline?, as me: UInt32) -> Bool {
        if isOwned(by: me) {
            reenter()
            return true
        }
        guard mutex.lock(until: deadline) else { return false }
        take(as: me, depth: 1)
        return true
    }

    /// Locks like ``lock(until:as:)`` and tells whether a shared lock had to be taken over
    /// from a process that died holding it (``MutexCore/Acquisition/ownerDied(pid:)``).
    func acquire(until deadline: Deadline?, as me: UInt32) -> MutexCore.Acquisition {
        if isOwned(by: me) {
            reenter()
            return .acquired
        }
        let outcome = mutex.acquire(until: deadline)
        if outcome != .timedOut { take(as: me, depth: 1) }
        return outcome
    }

    @inline(__always)
    func tryLock(as me: UInt32) -> Bool {
        if isOwned(by: me) {
            reenter()
            return true
        }
        guard mutex.tryLock() else { return false }
        take(as: me, depth: 1)
        return true
    }

    /// Undoes one acquire; returns `false` if the caller does not own the lock.
    @inline(__always)
    func unlock(as me: UInt32) -> Bool {
        guard isOwned(by: me) else { return false }
        let level = depth.loadRelaxed()
        if level > 1 {
            depth.storeRelaxed(level - 1)
        } else {
            give()
        }
        return true
    }

    /// Releases every level at once and returns the depth to restore later (Python's
    /// `_release_save`, used by `Condition.wait`); `nil` if the caller does not own the lock.
    func unlockFully(as me: UInt32) -> UInt32? {
        guard isOwned(by: me) else { return nil }
        let level = depth.loadRelaxed()
        give()
        return level
    }

    /// Takes the lock back at the depth `unlockFully` returned (Python's `_acquire_restore`).
    func relock(as me: UInt32, depth level: UInt32, until deadline: Deadline? = nil) -> Bool {
        guard mutex.lock(until: deadline) else { return false }
        take(as: me, depth: level)
        return true
    }

    /// Whether `me` holds the lock exactly once, so that a release really opens it.
    func isLastLevel(of me: UInt32) -> Bool { isOwned(by: me) && depth.loadRelaxed() == 1 }

    /// Whether thread `me` holds the lock. In shared memory the owner word of a process that
    /// died holding the lock stays behind, and its thread id may since have been reused by a
    /// thread of another process: there the lock is ours only if our process holds the mutex.
    @inline(__always)
    func isOwned(by me: UInt32) -> Bool {
        owner.loadRelaxed() == me && (!owner.isShared || mutex.sharedOwner == ProcessIdentity.pid)
    }

    /// The owner's thread id, 0 when unlocked (a snapshot, for diagnostics).
    var currentOwner: UInt32 { owner.load() }

    var isLocked: Bool { mutex.isLocked }

    @inline(__always)
    private func take(as me: UInt32, depth level: UInt32) {
        depth.storeRelaxed(level)
        owner.storeRelaxed(me)
    }

    @inline(__always)
    private func give() {
        depth.storeRelaxed(0)
        // Cleared before the mutex opens, so the next owner never sees a stale id of ours.
        owner.storeRelaxed(0)
        _ = mutex.unlock()
    }

    @inline(__always)
    private func reenter() {
        let level = depth.loadRelaxed()
        if level == UInt32.max { depthOverflow() }
        depth.storeRelaxed(level + 1)
    }

    @inline(never)
    private func depthOverflow() -> Never {
        fatalError("RLock.acquire(): recursion depth exceeds \(UInt32.max)")
    }

    /// The re-entrant lock as thread `me` uses it: the ``RawLock`` under ``RLock``'s shell.
    /// Re-entry is not an acquisition, and only the last release opens the lock.
    struct Caller: RawLock {
        let core: RecursiveMutexCore
        let me: UInt32

        @inline(__always)
        func lock(until deadline: Deadline?) -> Bool { core.lock(until: deadline, as: me) }

        @inline(__always)
        func tryLock() -> Bool { core.tryLock(as: me) }

        @inline(__always)
        var isHeldByCaller: Bool { core.isOwned(by: me) }

        @inline(__always)
        var releaseOpens: Bool { core.isLastLevel(of: me) }
    }
}

/// A re-entrant mutual-exclusion lock with Python's `threading.RLock` semantics.
///
/// The thread that holds it may acquire it again; it is free once that thread has released it
/// as many times as it acquired it. Only the owning thread may release it: releasing an
/// RLock that is unlocked, or held by another thread, is a programmer error and stops the
/// program.
///
/// `RLock()` synchronizes the threads of one process; `RLock(placement: .shared)` lives in
/// shared memory and also synchronizes the threads of fork children started after it, and
/// reports a holder process that died (``acquireReportingDeadOwner(timeout:)``).
///
/// ```swift
/// let lock = RLock()
/// func add(_ n: Int) { lock.withLock { total += n } }
/// func addTwice(_ n: Int) { lock.withLock { add(n); add(n) } }   // re-enters, no deadlock
/// ```
public final class RLock: Lockable, LockShell {
    let storage: SyncStorage
    let core: RecursiveMutexCore
    /// The name given at creation, used in diagnostics.
    public let name: String?
    /// Where the lock was created.
    public let creationSite: CreationSite

    /// Creates an unlocked, process-local re-entrant lock.
    public convenience init(name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.init(storage: Self.localStorage(), name: name, creationSite: CreationSite(file: file, line: line))
    }

    /// The lock's name in messages and handles.
    static var kind: StaticString { "RLock" }
    /// The number of words an `RLock` keeps its state in.
    static let wordCount = 3

    /// Creates an unlocked re-entrant lock on three words of `storage`, process-local or
    /// placed in shared memory (see `RLock(placement:)`).
    init(storage: SyncStorage, name: String?, creationSite: CreationSite) {
        self.storage = storage
        core = RecursiveMutexCore(mutex: MutexCore(word: storage.word(0)), owner: storage.word(1), depth: storage.word(2))
        self.name = name
        self.creationSite = creationSite
    }

    /// The re-entrant mutex as the calling thread uses it (``LockShell``). The thread id comes
    /// first: reading the words after the call keeps them in registers, not copied to the stack.
    @inline(__always)
    var raw: RecursiveMutexCore.Caller {
        let me = RecursiveMutexCore.currentThread
        return RecursiveMutexCore.Caller(core: core, me: me)
    }

    /// Blocks until the lock is acquired, or adds one level if this thread already holds it.
    @inline(__always)
    public func acquire(file: StaticString = #fileID, line: UInt = #line) {
        shellAcquire(file: file, line: line)
    }

    /// Waits at most `timeout` for the lock; returns whether it was acquired. Returns `true`
    /// at once if this thread already holds it. A negative timeout is a programmer error.
    public func acquire(timeout: Duration, file: StaticString = #fileID, line: UInt = #line) -> Bool {
        shellAcquire(until: .timeout(timeout, of: "RLock.acquire(timeout:)"), at: AcquisitionSite(file: file, line: line))
    }

    /// Acquires the lock if that is possible without waiting (always, for its owner).
    public func tryAcquire(file: StaticString = #fileID, line: UInt = #line) -> Bool {
        shellTryAcquire(at: AcquisitionSite(file: file, line: line))
    }

    /// Undoes one acquire by the calling thread. Releasing a lock the calling thread does not
    /// hold stops the program.
    @inline(__always)
    public func release() {
        // The thread id first, so that the words are read after the call, into registers.
        let me = RecursiveMutexCore.currentThread
        announceRelease()
        if !core.unlock(as: me) { notOwned("release()") }
    }

    /// Whether the calling thread holds the lock.
    public var isOwnedByCurrentThread: Bool { core.isOwned(by: RecursiveMutexCore.currentThread) }

    /// Whether some thread holds the lock right now (a snapshot).
    public var isLocked: Bool { core.isLocked }

    /// Python's `_release_save`, for `Condition.wait`: the caller has checked ownership.
    func releaseFully() -> UInt32 {
        if _slowPath(LockObservation.isOn) && isOwnedByCurrentThread { LockObservation.willRelease(self) }
        guard let level = core.unlockFully(as: RecursiveMutexCore.currentThread) else { notOwned("release()") }
        return level
    }

    /// Python's `_acquire_restore`, for `Condition.wait`.
    func reacquire(depth level: UInt32, file: StaticString = #fileID, line: UInt = #line) {
        let me = RecursiveMutexCore.currentThread
        if _slowPath(LockObservation.isOn) {
            _ = LockObservation.acquire(self, until: nil, at: AcquisitionSite(file: file, line: line)) {
                core.relock(as: me, depth: level, until: $0)
            }
        } else {
            _ = core.relock(as: me, depth: level)
        }
    }

    /// Stops the program: the calling thread does not own the lock. `type.operation` names
    /// the misused call; `advice` ends the message.
    @inline(never)
    func notOwned(_ operation: String, type: String = "RLock", advice: String = "") -> Never {
        let owner = core.currentOwner
        let me = RecursiveMutexCore.currentThread
        if owner == 0 {
            fatalError("\(type).\(operation): the lock \(debugName) is not locked\(advice)")
        }
        fatalError("\(type).\(operation): the lock \(debugName) is held by thread \(owner), not by the calling thread \(me)\(advice)")
    }
}
