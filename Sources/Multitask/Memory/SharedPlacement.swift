import Synchronization
import SystemPackage

extension SyncStorage {
    /// `count` zeroed futex words placed in shared memory (see ``SharedArena``).
    static func placedInSharedMemory(words count: Int) throws(Errno) -> SyncStorage {
        let placement = try SharedArena.allocate(byteCount: count * MemoryLayout<UInt32>.stride)
        // The kernel zero-fills new shared pages, and a zero `Atomic<UInt32>` is a zero word.
        let words = placement.pointer.bindMemory(to: Atomic<UInt32>.self, capacity: count)
        return SyncStorage(sharedWords: words, count: count, owner: placement.owner)
    }

    /// Storage for a primitive of `count` words at `placement`; throws when shared memory
    /// cannot be created (out of memory, address space or descriptors).
    static func make(words count: Int, placement: Placement) throws(Errno) -> SyncStorage {
        switch placement {
        case .local: SyncStorage(localWords: count)
        case .shared: try placedInSharedMemory(words: count)
        }
    }
}

extension SyncPrimitive {
    /// Storage for this primitive's words at `placement` (see ``SyncStorage/make(words:placement:)``).
    static func storage(placedAt placement: Placement) throws(Errno) -> SyncStorage {
        try .make(words: wordCount, placement: placement)
    }
}

extension IdentifiedLock {
    /// An unlocked lock at `placement`: what `Lock(placement:)` and `RLock(placement:)` make.
    init(placedAt placement: Placement, name: String?, file: StaticString, line: UInt) throws(Errno) {
        self.init(storage: try Self.storage(placedAt: placement), name: name, creationSite: CreationSite(file: file, line: line))
    }
}

extension Lock {
    /// Creates an unlocked lock that synchronizes threads of one process (`.local`, the same
    /// as `Lock()`) or of every process sharing it (`.shared`).
    ///
    /// A shared lock lives in shared memory: children forked after its creation use the very
    /// same lock. It records which process holds it; if that process dies holding it, the next
    /// acquirer takes it over within about 100 ms instead of waiting forever — see
    /// ``acquireReportingDeadOwner(timeout:)``.
    ///
    /// A shared lock is `Codable` as a handle (where its word is, its name and creation
    /// site): a value sent to another process may contain it, and the decoded lock *is* this
    /// lock, in children started by the library with any start method. In one process the
    /// deadlock detector sees a lock and its decoded copies as one lock. Encoding a `.local`
    /// lock throws `EncodingError.invalidValue`.
    ///
    /// ```swift
    /// let lock = try Lock(placement: .shared)
    /// let counter = try SharedValue(0, lock: false)
    /// // in every process: lock.withLock { counter.store(counter.load() + 1) }
    /// ```
    public convenience init(placement: Placement, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        try self.init(placedAt: placement, name: name, file: file, line: line)
    }
}

// Shared placement of the other primitives: each takes its words from `SyncStorage.make`, so
// the futex operations pick the shared flavour (`FutexWord.isShared`) and `checkProcess` lets
// every process use them. Their algorithms do not change.

extension RLock {
    /// Creates an unlocked re-entrant lock that synchronizes threads of one process (`.local`,
    /// the same as `RLock()`) or of every process sharing it (`.shared`).
    ///
    /// A shared lock lives in shared memory: children started with the `.fork` start method
    /// after its creation (and their own fork children) use the very same lock. Ownership is
    /// per thread, as for a local `RLock`; the process of the owning thread is recorded, and if
    /// it dies holding the lock, the next acquirer takes it over within about 100 ms instead
    /// of waiting forever — see ``acquireReportingDeadOwner(timeout:)``.
    ///
    /// A shared `RLock` is `Codable` as a handle, like a shared ``Lock``: the decoded lock is
    /// this lock (a thread that holds one holds the other), in children started by the
    /// library with any start method. Encoding a `.local` one throws
    /// `EncodingError.invalidValue`.
    ///
    /// ```swift
    /// let lock = try RLock(placement: .shared)
    /// // in any process: lock.withLock { lock.withLock { update() } }
    /// ```
    public convenience init(placement: Placement, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        try self.init(placedAt: placement, name: name, file: file, line: line)
    }
}

extension Condition {
    /// Creates a condition with its own ``RLock``, both at `placement`.
    ///
    /// A `.shared` condition and its lock live in shared memory: threads of the creating
    /// process and of children started with the `.fork` start method after its creation wait
    /// and notify each other. A process that dies holding the lock is handled as for
    /// ``RLock/init(placement:name:file:line:)``: the next thread taking the lock (a waiter
    /// returning from `wait` included) takes it over and a warning is printed.
    ///
    /// A shared condition is `Codable` as a handle that carries its lock's handle too: the
    /// decoded condition is this condition on this lock, in children started by the library
    /// with any start method (the same holds for `Condition(lock:placement:)`, with a
    /// ``Lock`` or an ``RLock``). Encoding a `.local` one throws `EncodingError.invalidValue`.
    ///
    /// ```swift
    /// let ready = try Condition(placement: .shared)
    /// let items = try SharedValue(0, lock: false)
    /// // consumer process: ready.withLock { ready.wait(for: { items.load() > 0 }) }
    /// // producer process: ready.withLock { items.store(1); ready.notifyAll() }
    /// ```
    public convenience init(placement: Placement) throws(Errno) {
        try self.init(lock: try RLock(placement: placement), placement: placement)
    }

    /// Creates a condition on `lock` with its waiting state at `placement`. A `.shared`
    /// condition needs a lock created with `placement: .shared`; anything else stops the
    /// program.
    public convenience init(lock: Lock, placement: Placement) throws(Errno) {
        Self.checkLock(isShared: lock.storage.isShared, placement: placement)
        self.init(lock: lock, storage: try Self.storage(placedAt: placement))
    }

    /// Creates a condition on `lock` with its waiting state at `placement`. A `.shared`
    /// condition needs a lock created with `placement: .shared`; anything else stops the
    /// program.
    public convenience init(lock: RLock, placement: Placement) throws(Errno) {
        Self.checkLock(isShared: lock.storage.isShared, placement: placement)
        self.init(lock: lock, storage: try Self.storage(placedAt: placement))
    }

    private static func checkLock(isShared: Bool, placement: Placement) {
        if placement == .shared && !isShared {
            fatalError("Condition(lock:placement: .shared): the lock is process-local; create it with `placement: .shared` too")
        }
    }
}

extension Semaphore {
    /// Creates a semaphore holding `value` units (at least 0) that synchronizes threads of one
    /// process (`.local`, the same as `Semaphore(value:)`) or of every process sharing it
    /// (`.shared`).
    ///
    /// A shared semaphore lives in shared memory: children started with the `.fork` start
    /// method after its creation take and give units of the very same semaphore. Units are
    /// not owned, so a process that dies holding some does not give them back.
    ///
    /// A shared semaphore is `Codable` as a handle (with its initial value, bound, name and
    /// creation site): the decoded semaphore shares this one's units, in children started by
    /// the library with any start method. A bounded one stays bounded, even decoded as a
    /// plain `Semaphore`; an unbounded one cannot be decoded as a ``BoundedSemaphore``.
    /// Encoding a `.local` one throws `EncodingError.invalidValue`.
    ///
    /// `BoundedSemaphore(value:placement:)` is this initializer too, making a bounded one.
    ///
    /// ```swift
    /// let slots = try Semaphore(value: 2, placement: .shared)   // at most 2 processes inside
    /// // in each process: slots.withLock { useTheDevice() }
    /// let pool = try BoundedSemaphore(value: 2, placement: .shared)
    /// ```
    public convenience init(value: Int = 1, placement: Placement, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        self.init(value: value, bounded: false, name: name, site: CreationSite(file: file, line: line),
                  storage: try Self.storage(placedAt: placement))
    }
}

extension Event {
    /// Creates an event whose flag is down, for threads of one process (`.local`, the same as
    /// `Event()`) or of every process sharing it (`.shared`).
    ///
    /// A shared event lives in shared memory: children started with the `.fork` start method
    /// after its creation see the very same flag, and `set()` in any process wakes waiters in
    /// all of them.
    ///
    /// A shared event is `Codable` as a handle: the decoded event has this flag, in children
    /// started by the library with any start method. Encoding a `.local` one throws
    /// `EncodingError.invalidValue`.
    ///
    /// ```swift
    /// let done = try Event(placement: .shared)
    /// // child process: done.set()
    /// // parent: done.wait(timeout: .seconds(5))
    /// ```
    public convenience init(placement: Placement) throws(Errno) {
        self.init(storage: try Self.storage(placedAt: placement))
    }
}

extension Barrier {
    /// Creates a barrier for `parties` threads at `placement`; `.local` is the same as
    /// ``init(parties:action:timeout:)``.
    ///
    /// A `.shared` barrier lives in shared memory: threads of the creating process and of
    /// children started with the `.fork` start method after its creation count towards the
    /// same `parties` and pass together. `action` is a closure, which cannot cross processes:
    /// each process keeps its own copy, and the one that runs is that of the process whose
    /// thread arrives last — it runs in that process, seeing that process's memory. A
    /// process that dies while others wait leaves them waiting until their timeout breaks
    /// the barrier, so give shared barriers a `timeout`.
    ///
    /// A shared barrier is `Codable` as a handle (with `parties` and `timeout`): the decoded
    /// barrier counts arrivals with this one, in children started by the library with any
    /// start method. The action does not travel: **a decoded barrier has no action**, so when
    /// a thread of the decoding process arrives last, no action runs for that generation.
    /// Encoding a `.local` one throws `EncodingError.invalidValue`.
    ///
    /// ```swift
    /// let barrier = try Barrier(parties: 3, placement: .shared, timeout: .seconds(10))
    /// // in each of 3 processes: try barrier.wait()
    /// ```
    public convenience init(parties: Int, placement: Placement, action: (@Sendable () throws -> Void)? = nil, timeout: Duration? = nil) throws(Errno) {
        if let timeout { Deadline.checkTimeout(timeout, of: "Barrier(parties:placement:timeout:)") }
        self.init(parties: parties, action: action, timeout: timeout,
                  storage: try Self.storage(placedAt: placement))
    }
}
