/// A mutual-exclusion lock with Python's `threading.Lock` semantics.
///
/// Not re-entrant: a thread that acquires it twice without releasing blocks forever (use
/// ``RLock`` for that). Any thread may release it, not only the one that acquired it.
/// Releasing an unlocked lock is a programmer error and stops the program.
///
/// ```swift
/// let lock = Lock()
/// lock.withLock { counter += 1 }
/// if lock.acquire(timeout: .milliseconds(50)) { defer { lock.release() }; work() }
/// ```
public final class Lock: Lockable {
    let storage: SyncStorage
    let core: MutexCore
    /// The name given at creation, used in diagnostics.
    public let name: String?
    /// Where the lock was created.
    public let creationSite: CreationSite

    /// Creates an unlocked, process-local lock.
    public init(name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        storage = SyncStorage(localWords: 1)
        core = MutexCore(word: storage.word(0))
        self.name = name
        self.creationSite = CreationSite(file: file, line: line)
    }

    /// Creates an unlocked lock on one word of `storage`, process-local or placed in shared
    /// memory (see `Lock(placement:)`).
    init(storage: SyncStorage, name: String?, creationSite: CreationSite) {
        self.storage = storage
        core = MutexCore(word: storage.word(0))
        self.name = name
        self.creationSite = creationSite
    }

    /// Blocks until the lock is acquired.
    @inline(__always)
    public func acquire() {
        storage.checkProcess("Lock")
        _ = core.lock(until: nil)
    }

    /// Waits at most `timeout` for the lock; returns whether it was acquired.
    public func acquire(timeout: Duration) -> Bool {
        storage.checkProcess("Lock")
        return core.lock(until: .after(timeout))
    }

    /// Acquires the lock if it is free right now; never blocks.
    public func tryAcquire() -> Bool {
        storage.checkProcess("Lock")
        return core.tryLock()
    }

    /// Releases the lock. Any thread may release it; releasing an unlocked lock stops the program.
    @inline(__always)
    public func release() {
        if !core.unlock() {
            fatalError("Lock.release(): the lock \(self.debugName) is not locked")
        }
    }

    /// Whether some thread holds the lock right now (a snapshot; Python's `locked()`).
    public var isLocked: Bool { core.isLocked }

    var debugName: String { name.map { "'\($0)'" } ?? "created at \(creationSite)" }
}
