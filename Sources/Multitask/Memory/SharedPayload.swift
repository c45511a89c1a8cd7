import Synchronization
import SystemPackage

/// The memory of a ``SharedValue`` or ``SharedArray`` in this process, where it comes from,
/// and how it travels as a handle (``SharedObjectHandle``): the segment and the offset of the
/// object's placement, its element type (checked on arrival), its element count and its lock
/// — the identity of the lock word placed before the elements, or the handle of a lock the
/// caller supplied, or none.
struct SharedPayload<Element: BitwiseCopyable> {
    /// Keeps the elements mapped.
    let owner: SharedMemory
    /// Invariant: `count` initialized elements in `owner`'s memory.
    let base: UnsafeMutablePointer<Element>
    let count: Int
    let lock: Lock?
    /// Whether `lock` is the word placed just before the elements (else it is a lock the
    /// caller supplied, which lives elsewhere, or there is none).
    let ownsLockWord: Bool

    /// The lock a new shared object gets.
    enum LockChoice {
        /// No lock (Python's `lock=False`).
        case none
        /// A lock word of its own, placed before the elements (Python's `lock=True`).
        case own(CreationSite)
        /// A process-shared lock the caller made (Python's `lock=a_lock`).
        case given(Lock)
    }

    /// What the handle carries besides where the placement is.
    struct Configuration: Codable {
        var elementType: String
        var count: Int
        /// The identity of the object's own lock word.
        var lock: LockIdentity?
        /// The handle of the caller's lock.
        var givenLock: Lock?
    }

    private init(owner: SharedMemory, base: UnsafeMutablePointer<Element>, count: Int, lock: Lock?, ownsLockWord: Bool) {
        self.owner = owner
        self.base = base
        self.count = count
        self.lock = lock
        self.ownsLockWord = ownsLockWord
    }

    /// Places `count` elements in shared memory, after a lock word of their own for `.own`,
    /// and lets `initialize` set every one of them. A `.given` lock must be process-shared
    /// (`kind` names the caller in the message otherwise). Throws when shared memory cannot
    /// be created.
    static func allocate(
        kind: String, count: Int, lock choice: LockChoice, initialize: (UnsafeMutablePointer<Element>) -> Void
    ) throws(Errno) -> Self {
        usageCheck(count >= 0, "\(kind) needs a non-negative count, got \(count)")
        if case .given(let lock) = choice {
            usageCheck(lock.storage.isShared, "\(kind)(lock:): the lock is process-local and would exclude no other process; create it with Lock(placement: .shared)")
        }
        let ownsLockWord = if case .own = choice { true } else { false }
        let layout = layout(count: count, locked: ownsLockWord)
        let placement = try SharedArena.allocate(byteCount: layout.byteCount)
        let base = (placement.pointer + layout.payloadOffset).bindMemory(to: Element.self, capacity: count)
        initialize(base)
        let lock: Lock? = switch choice {
        case .none: nil
        case .own(let site): layout.lock(in: placement, site: site)
        case .given(let lock): lock
        }
        return Self(owner: placement.owner, base: base, count: count, lock: lock, ownsLockWord: ownsLockWord)
    }

    /// The placement's layout: the lock word when the object owns one, then exactly the bytes
    /// the elements occupy (the last one needs its size, not its stride).
    private static func layout(count: Int, locked: Bool) -> SharedObjectLayout {
        let size = count == 0 ? 0 : MemoryLayout<Element>.stride * (count - 1) + MemoryLayout<Element>.size
        return SharedObjectLayout(payloadSize: size, alignment: MemoryLayout<Element>.alignment, locked: locked)
    }

    private static var elementType: String { String(reflecting: Element.self) }

    /// Encodes a handle of `kind` ("SharedValue", "SharedArray") to this memory.
    func encode(kind: String, to encoder: any Encoder) throws {
        let layout = Self.layout(count: count, locked: ownsLockWord)
        let start = UnsafeMutableRawPointer(base) - layout.payloadOffset
        let ownLock = ownsLockWord ? lock : nil
        // With a lock word of its own, its words are registered too, so a lock decoded here
        // is this one.
        let segment = ownLock.map { SharedObjectRegistry.location(of: $0.storage).segment } ?? SharedObjectRegistry.handle(registering: owner)
        let configuration = Configuration(elementType: Self.elementType, count: count,
                                          lock: ownLock.map { LockIdentity(name: $0.name, site: $0.creationSite) },
                                          givenLock: ownsLockWord ? nil : lock)
        try SharedObjectHandle(kind: kind, segment: segment, offset: start - owner.bytes.baseAddress!, configuration: configuration).encode(to: encoder)
    }

    /// The memory a handle of `kind` refers to; throws `DecodingError` for another kind,
    /// another element type, another `count` (when given), two locks or a placement outside
    /// its segment.
    static func decode(kind: String, count expectedCount: Int? = nil, from decoder: any Decoder) throws -> Self {
        let handle = try SharedObjectHandle<Configuration>.decode(kind: kind, from: decoder)
        let configuration = handle.configuration
        let path = decoder.codingPath
        guard configuration.elementType == elementType else {
            throw SharedObjectRegistry.corrupted(path, "a \(kind) of \(configuration.elementType) cannot be decoded as a \(kind) of \(elementType)")
        }
        guard configuration.count >= 0, expectedCount == nil || expectedCount == configuration.count else {
            throw SharedObjectRegistry.corrupted(path, "the \(kind) handle's element count \(configuration.count) is invalid")
        }
        guard configuration.lock == nil || configuration.givenLock == nil else {
            throw SharedObjectRegistry.corrupted(path, "the \(kind) handle names two locks")
        }
        let ownsLockWord = configuration.lock != nil
        let layout = layout(count: configuration.count, locked: ownsLockWord)
        let segment = try SharedObjectRegistry.segment(for: handle.segment)
        try SharedObjectRegistry.checkRange(offset: handle.offset, byteCount: layout.byteCount,
                                            alignment: max(MemoryLayout<Element>.alignment, MemoryLayout<UInt32>.alignment),
                                            in: segment, codingPath: path)
        var lock = configuration.givenLock
        if let identity = configuration.lock {
            let words = try SharedObjectRegistry.storage(at: handle.offset, of: handle.segment, words: Lock.wordCount, codingPath: path)
            lock = Lock(storage: words, name: identity.name, creationSite: identity.site)
        }
        // Invariant: in bounds and aligned (checked above); the creator initialized the elements.
        let base = (segment.bytes.baseAddress! + handle.offset + layout.payloadOffset).bindMemory(to: Element.self, capacity: configuration.count)
        return Self(owner: segment, base: base, count: configuration.count, lock: lock, ownsLockWord: ownsLockWord)
    }

    /// Runs `body` on the elements while holding the lock; `kind` names the caller when there
    /// is no lock, a programmer error.
    func withLock<Result, Failure: Error>(
        kind: String, _ body: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard let lock else { usageFailure("\(kind).withLock: it was created with lock: false") }
        lock.acquire()
        defer { lock.release() }
        return try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// Runs `body` under the lock when there is one, else directly.
    @inline(__always)
    func guarded<Result>(_ body: () -> Result) -> Result {
        guard let lock else { return body() }
        return lock.withLock(body)
    }
}

/// Where a shared object's optional lock word and payload sit in its placement.
struct SharedObjectLayout {
    let payloadOffset: Int
    let byteCount: Int
    let locked: Bool

    init(payloadSize: Int, alignment: Int, locked: Bool) {
        usageCheck(alignment <= SharedArena.granule, "types aligned to more than 64 bytes cannot be placed in shared memory")
        // The lock word, when there is one, comes first; the payload follows at its alignment.
        payloadOffset = locked ? max(MemoryLayout<UInt32>.size, alignment) : 0
        byteCount = max(1, payloadOffset + payloadSize)
        self.locked = locked
    }

    func lock(in placement: SharedArena.Placement, site: CreationSite) -> Lock? {
        guard locked else { return nil }
        let word = placement.pointer.bindMemory(to: Atomic<UInt32>.self, capacity: 1)
        return Lock(storage: SyncStorage(sharedWords: word, count: 1, owner: placement.owner), name: nil, creationSite: site)
    }
}
