import Synchronization
import SystemPackage

/// One value of a trivial type in shared memory, optionally with its own process-shared lock
/// (Python's `multiprocessing.Value`).
///
/// Children forked after its creation read and write the same value. With a lock (the
/// default), ``load()`` and ``store(_:)`` are atomic with respect to each other and
/// ``withLock(_:)`` makes read-modify-write sequences atomic. Without one
/// (`lock: false`), values wider than a machine word may be seen half-written.
///
/// ```swift
/// let counter = try SharedValue(0)
/// // in each of several processes:
/// counter.withLock { $0 += 1 }
/// ```
///
/// `Value` must be `BitwiseCopyable`: it is copied as bytes, so it must not contain
/// references or pointers, which mean nothing in another process.
///
/// A shared value is `Codable` as a handle (where it is, its type name, its lock): a value
/// sent to another process may contain it, and the decoded value is this value under this
/// lock, in children started by the library with any start method. Decoding it as another
/// `Value` type throws.
public final class SharedValue<Value: BitwiseCopyable>: @unchecked Sendable {
    /// The lock guarding the value (Python's `get_lock()`), nil when created with `lock: false`.
    /// It is a process-shared ``Lock``: see ``Lock/acquireReportingDeadOwner(timeout:)``.
    public let lock: Lock?
    private let owner: SharedMemory
    /// Invariant: an initialized `Value` in `owner`'s memory.
    private let pointer: UnsafeMutablePointer<Value>

    /// Places `initial` in shared memory, with a lock unless `lock` is false. Throws when
    /// shared memory cannot be created (out of memory, address space or descriptors).
    public init(_ initial: Value, lock: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        let layout = SharedObjectLayout(payloadSize: MemoryLayout<Value>.size, alignment: MemoryLayout<Value>.alignment, locked: lock)
        let placement = try SharedArena.allocate(byteCount: layout.byteCount)
        owner = placement.owner
        pointer = (placement.pointer + layout.payloadOffset).bindMemory(to: Value.self, capacity: 1)
        pointer.initialize(to: initial)
        self.lock = layout.lock(in: placement, site: CreationSite(file: file, line: line))
    }

    /// The value a handle refers to (see `init(from:)`).
    private init(_ payload: SharedPayload<Value>) {
        owner = payload.owner
        pointer = payload.base
        lock = payload.lock
    }

    /// The current value (read under the lock when there is one).
    public func load() -> Value {
        guard let lock else { return pointer.pointee }
        return lock.withLock { pointer.pointee }
    }

    /// Replaces the value (under the lock when there is one).
    public func store(_ value: Value) {
        guard let lock else {
            pointer.pointee = value
            return
        }
        lock.withLock { pointer.pointee = value }
    }

    /// Runs `body` on the value while holding the lock. Stops the program if the value was
    /// created with `lock: false`.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        guard let lock else { fatalError("SharedValue.withLock: the value was created with lock: false") }
        lock.acquire()
        defer { lock.release() }
        return try body(&pointer.pointee)
    }

    /// Runs `body` with a pointer to the value in shared memory, without locking — for
    /// atomics or the caller's own synchronization. The pointer is valid during `body`.
    public func withUnsafeMutablePointer<Result, Failure: Error>(_ body: (UnsafeMutablePointer<Value>) throws(Failure) -> Result) throws(Failure) -> Result {
        try withExtendedLifetime(self) { () throws(Failure) -> Result in try body(pointer) }
    }
}

extension SharedValue: Codable {
    /// The value a handle refers to: the same memory, under the same lock. Throws if the
    /// handle is not a `SharedValue` of this `Value` type or its memory is not available in
    /// this process.
    public convenience init(from decoder: any Decoder) throws {
        self.init(try SharedPayload<Value>.decode(kind: "SharedValue", count: 1, from: decoder))
    }

    /// Encodes a handle to this value and its lock (see the type's documentation).
    public func encode(to encoder: any Encoder) throws {
        try SharedPayload(owner: owner, base: pointer, count: 1, lock: lock).encode(kind: "SharedValue", to: encoder)
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
