/// A mutual-exclusion lock with Python's `threading.Lock` semantics.
///
/// Not re-entrant: a thread that acquires it twice without releasing blocks forever (use
/// ``RLock`` for that). Any thread may release it, not only the one that acquired it.
/// Releasing an unlocked lock is a programmer error and stops the program.
///
/// The deadlock detector (``DeadlockDetector``) follows every `Lock` when it is on; the
/// `file`/`line` parameters of the acquire methods are the call site it reports.
///
/// `Lock()` is process-local: it excludes the threads of one process. A fork child that
/// reaches it (a `Process { … }` closure capturing it, or an object that holds it) gets a
/// copy that excludes no one, so the child stops with a message — but only when it runs the
/// code that acquires the lock: a child whose path never acquires it runs normally, and a
/// test that misses that path misses the mistake. To exclude processes, create the lock
/// with `try Lock(placement: .shared)`, which every forked child (and any child the lock is
/// sent to) shares.
///
/// ```swift
/// let lock = Lock()
/// lock.withLock { counter += 1 }
/// if lock.acquire(timeout: .milliseconds(50)) { defer { lock.release() }; work() }
/// ```
public final class Lock: Lockable, LockShell {
    @usableFromInline let storage: SyncStorage
    @usableFromInline let core: MutexCore
    /// The name given at creation, used in diagnostics.
    public let name: String?
    /// Where the lock was created.
    public let creationSite: CreationSite

    /// Creates an unlocked, process-local lock.
    public convenience init(name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.init(storage: Self.localStorage(), name: name, creationSite: CreationSite(file: file, line: line))
    }

    /// The lock's name in messages and handles.
    static var kind: StaticString { "Lock" }
    /// The number of words a lock keeps its state in.
    static let wordCount = 1

    /// Creates an unlocked lock on one word of `storage`, process-local or placed in shared
    /// memory (see `Lock(placement:)`).
    init(storage: SyncStorage, name: String?, creationSite: CreationSite) {
        self.storage = storage
        core = MutexCore(word: storage.word(0))
        self.name = name
        self.creationSite = creationSite
    }

    /// The mutex algorithm under the shell (``LockShell``).
    @inline(__always)
    var raw: MutexCore { core }

    /// Blocks until the lock is acquired.
    ///
    /// Inlined into the caller (as are ``tryAcquire(file:line:)``, ``release()`` and so
    /// `withLock`): one branch on ``SyncStorage/admitsFastPath`` and one compare-and-exchange;
    /// anything else (contention, the detector on, a fork child) goes through the shell.
    @inlinable @inline(__always)
    public func acquire(file: StaticString = #fileID, line: UInt = #line) {
        if _fastPath(storage.admitsFastPath && core.tryLockLocal()) { return }
        acquireThroughShell(file: file, line: line)
    }

    /// ``acquire(file:line:)`` past the fast path: the shell's checks, then the wait.
    @usableFromInline @inline(never)
    func acquireThroughShell(file: StaticString, line: UInt) {
        shellAcquire(file: file, line: line)
        routeReleaseToShellIfObserved(acquired: true)
    }

    /// Waits at most `timeout` for the lock; returns whether it was acquired. A negative timeout is a programmer error.
    public func acquire(timeout: Duration, file: StaticString = #fileID, line: UInt = #line) -> Bool {
        let acquired = shellAcquire(until: .timeout(timeout, of: "Lock.acquire(timeout:)"), at: AcquisitionSite(file: file, line: line))
        routeReleaseToShellIfObserved(acquired: acquired)
        return acquired
    }

    /// After an acquire through the shell: while the detector is on, leaves the word saying
    /// more than "held, uncontended", so that ``release()``, whose fast path checks nothing
    /// but that word, comes to the shell and tells the detector. (A lock acquired while the
    /// detector was off is released unannounced, as the detector never saw it acquired.)
    @inline(__always)
    private func routeReleaseToShellIfObserved(acquired: Bool) {
        if _slowPath(LockObservation.isOn) && acquired { core.markHeldForSlowRelease() }
    }

    /// Acquires the lock if it is free right now; never blocks.
    @inlinable
    public func tryAcquire(file: StaticString = #fileID, line: UInt = #line) -> Bool {
        if _fastPath(storage.admitsFastPath) { return core.tryLockLocal() }
        return tryAcquireThroughShell(file: file, line: line)
    }

    /// ``tryAcquire(file:line:)`` with the shell's checks and the detector's bookkeeping.
    @usableFromInline @inline(never)
    func tryAcquireThroughShell(file: StaticString, line: UInt) -> Bool {
        let acquired = shellTryAcquire(at: AcquisitionSite(file: file, line: line))
        routeReleaseToShellIfObserved(acquired: acquired)
        return acquired
    }

    /// Releases the lock. Any thread may release it; releasing an unlocked lock stops the program.
    ///
    /// The fast path is one decrement of the word (``MutexCore/unlockLocalByDecrement()``),
    /// from 1 ("held, no sleepers") to 0, with no other check: every release that needs the
    /// shell finds another value there — sleepers, a lock acquired while the detector is on
    /// (``routeReleaseToShellIfObserved(acquired:)``), an unlocked lock — and the shell
    /// finishes from the decremented word. A shared word, which holds its holder's pid, goes
    /// to the shell at once, undecremented; `isShared` is stored in the lock itself, next to
    /// the word's address. (Racing an acquirer, the release of an unlocked lock can pass for a
    /// release with a waiter, and then stops nothing.)
    @inlinable @inline(__always)
    public func release() {
        if _slowPath(core.word.isShared) { return releaseThroughShell(decremented: false) }
        if _fastPath(core.unlockLocalByDecrement()) { return }
        releaseThroughShell(decremented: true)
    }

    /// ``release()`` past the fast path: tells the detector, opens the lock, wakes a sleeper.
    /// `decremented`: the fast path has decremented the (local) word already.
    @usableFromInline @inline(never)
    func releaseThroughShell(decremented: Bool) {
        announceRelease()
        if !(decremented ? core.unlockAfterDecrement() : core.unlock()) {
            fatalError("Lock.release(): the lock \(self.debugName) is not locked")
        }
    }

    /// Whether some thread holds the lock right now (a snapshot; Python's `locked()`).
    public var isLocked: Bool { core.isLocked }
}
