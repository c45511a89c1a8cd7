import SystemPackage

/// One value of a trivial type in shared memory, optionally under a process-shared lock
/// (Python's `multiprocessing.Value`).
///
/// Children forked after its creation read and write the same value. With a lock (the
/// default: a lock word of its own; or a shared ``Lock`` you pass, as Python's
/// `Value(…, lock=a_lock)`), ``load()`` and ``store(_:)`` are atomic with respect to each
/// other and ``withLock(_:)`` makes read-modify-write sequences atomic. Without one
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
// @unchecked: its only state is an immutable pointer into shared memory, kept mapped by `payload`; access is the caller's to guard (its `lock`).
public final class SharedValue<Value: BitwiseCopyable>: @unchecked Sendable {
    private let payload: SharedPayload<Value>

    /// The lock guarding the value (Python's `get_lock()`): its own, the one passed at
    /// creation, or nil when created with `lock: false`. It is a process-shared ``Lock``: see
    /// ``Lock/acquireReportingDeadOwner(timeout:)``.
    public var lock: Lock? { payload.lock }

    /// Places `initial` in shared memory, with a lock of its own unless `lock` is false.
    /// Throws when shared memory cannot be created (out of memory, address space or
    /// descriptors).
    public init(_ initial: Value, lock: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        payload = try .allocate(kind: "SharedValue", count: 1, lock: lock ? .own(CreationSite(file: file, line: line)) : .none) {
            $0.initialize(to: initial)
        }
    }

    /// Places `initial` in shared memory under `lock`, a lock you made and may share with
    /// other objects (Python's `Value(typecode, value, lock=a_lock)`): holding it excludes
    /// every access to all of them at once.
    ///
    /// `lock` must be process-shared (`Lock(placement: .shared)`); a process-local lock would
    /// exclude no other process, and is a programmer error. Throws when shared memory cannot
    /// be created.
    ///
    /// ```swift
    /// let lock = try Lock(placement: .shared)
    /// let hits = try SharedValue(0, lock: lock), misses = try SharedValue(0, lock: lock)
    /// lock.withLock { /* read hits and misses together */ }
    /// ```
    public init(_ initial: Value, lock: Lock, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        payload = try .allocate(kind: "SharedValue", count: 1, lock: .given(lock)) { $0.initialize(to: initial) }
    }

    /// The value a handle refers to (see `init(from:)`).
    private init(_ payload: SharedPayload<Value>) {
        self.payload = payload
    }

    /// The current value (read under the lock when there is one).
    public func load() -> Value {
        payload.guarded { payload.base.pointee }
    }

    /// Replaces the value (under the lock when there is one).
    public func store(_ value: Value) {
        payload.guarded { payload.base.pointee = value }
    }

    /// Runs `body` on the value while holding the lock. Calling it on a value created with
    /// `lock: false` is a programmer error.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        try payload.withLock(kind: "SharedValue") { (elements) throws(Failure) -> Result in try body(&elements[0]) }
    }

    /// Runs `body` with a pointer to the value in shared memory, without locking — for
    /// atomics or the caller's own synchronization. The pointer is valid during `body`.
    public func withUnsafeMutablePointer<Result, Failure: Error>(_ body: (UnsafeMutablePointer<Value>) throws(Failure) -> Result) throws(Failure) -> Result {
        try withExtendedLifetime(self) { () throws(Failure) -> Result in try body(payload.base) }
    }
}

extension SharedValue: Codable {
    /// The value a handle refers to: the same memory, under the same lock. Throws if the
    /// handle is not a `SharedValue` of this `Value` type or its memory (or its lock's) is not
    /// available in this process.
    public convenience init(from decoder: any Decoder) throws {
        self.init(try SharedPayload<Value>.decode(kind: "SharedValue", count: 1, from: decoder))
    }

    /// Encodes a handle to this value and its lock (see the type's documentation).
    public func encode(to encoder: any Encoder) throws {
        try payload.encode(kind: "SharedValue", to: encoder)
    }
}
