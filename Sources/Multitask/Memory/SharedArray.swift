import SystemPackage

/// A fixed-size array of a trivial type in shared memory, optionally under a process-shared
/// lock (Python's `multiprocessing.Array`).
///
/// Children forked after its creation see the same elements. With a lock (the default: a
/// lock word of its own; or a shared ``Lock`` you pass, as Python's `Array(…, lock=a_lock)`),
/// each subscript access takes it, and ``withLock(_:)`` makes multi-element updates atomic.
///
/// It is a `RandomAccessCollection` of its elements: `for x in array`, `array[1..<3]`,
/// `array.reduce(0, +)`, `Array(array)` work as on an array. Each element read takes the
/// lock on its own, so an iteration may see another process's update half-way; read under
/// ``withLock(_:)``, or take ``toArray()``, for a consistent snapshot.
///
/// ```swift
/// let hits = try SharedArray(repeating: 0, count: 4)
/// // in child number i:
/// hits.withLock { $0[i] += 1 }
/// // in the parent, once they are joined:
/// print(hits.reduce(0, +), Array(hits[1...]))
/// ```
///
/// A shared array is `Codable` as a handle (where it is, its element type and count, its
/// lock): a value sent to another process may contain it, and the decoded array is this
/// array, in children started by the library with any start method. Decoding it with
/// another `Element` type throws.
// @unchecked: its only state is an immutable pointer into shared memory, kept mapped by `payload`; element access is the caller's to guard (its `lock`).
public final class SharedArray<Element: BitwiseCopyable>: @unchecked Sendable {
    private let payload: SharedPayload<Element>

    /// The lock guarding the elements: its own, the one passed at creation, or nil when
    /// created with `lock: false`.
    public var lock: Lock? { payload.lock }

    /// The number of elements (fixed).
    public var count: Int { payload.count }

    /// `count` copies of `value` in shared memory, with a lock of its own unless `lock` is
    /// false. Throws when shared memory cannot be created (out of memory, address space or
    /// descriptors); a negative `count` is a programmer error.
    public init(repeating value: Element, count: Int, lock: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        payload = try .allocate(kind: "SharedArray", count: count, lock: Self.choice(lock, file, line)) {
            $0.initialize(repeating: value, count: count)
        }
    }

    /// The elements of `elements` in shared memory, with a lock of its own unless `lock` is
    /// false.
    public init(_ elements: [Element], lock: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        payload = try .allocate(kind: "SharedArray", count: elements.count, lock: Self.choice(lock, file, line), initialize: Self.copying(elements))
    }

    /// `count` copies of `value` in shared memory under `lock`, a process-shared lock you
    /// made and may share with other objects (Python's `Array(typecode, size, lock=a_lock)`).
    /// A process-local `lock` is a programmer error (it would exclude no other process).
    public init(repeating value: Element, count: Int, lock: Lock) throws(Errno) {
        payload = try .allocate(kind: "SharedArray", count: count, lock: .given(lock)) {
            $0.initialize(repeating: value, count: count)
        }
    }

    /// The elements of `elements` in shared memory under `lock`, a process-shared lock you
    /// made and may share with other objects; a process-local one is a programmer error.
    ///
    /// ```swift
    /// let lock = try Lock(placement: .shared)
    /// let xs = try SharedArray([1, 2, 3], lock: lock), total = try SharedValue(6, lock: lock)
    /// lock.withLock { /* xs and total change together */ }
    /// ```
    public init(_ elements: [Element], lock: Lock) throws(Errno) {
        payload = try .allocate(kind: "SharedArray", count: elements.count, lock: .given(lock), initialize: Self.copying(elements))
    }

    private static func choice(_ locked: Bool, _ file: StaticString, _ line: UInt) -> SharedPayload<Element>.LockChoice {
        locked ? .own(CreationSite(file: file, line: line)) : .none
    }

    private static func copying(_ elements: [Element]) -> (UnsafeMutablePointer<Element>) -> Void {
        { base in elements.withUnsafeBufferPointer { if let source = $0.baseAddress { base.initialize(from: source, count: $0.count) } } }
    }

    /// The array a handle refers to (see `init(from:)`).
    private init(_ payload: SharedPayload<Element>) {
        self.payload = payload
    }

    /// The element at `index` (under the lock when there is one). An index outside
    /// `0..<count` is a programmer error.
    public subscript(index: Int) -> Element {
        get {
            usageCheck(index >= 0 && index < count, "SharedArray index \(index) out of range 0..<\(count)")
            return payload.guarded { payload.base[index] }
        }
        set {
            usageCheck(index >= 0 && index < count, "SharedArray index \(index) out of range 0..<\(count)")
            payload.guarded { payload.base[index] = newValue }
        }
    }

    /// A copy of every element (taken under the lock when there is one).
    public func toArray() -> [Element] {
        payload.guarded { Array(UnsafeBufferPointer(start: payload.base, count: count)) }
    }

    /// Runs `body` on the elements while holding the lock. Calling it on an array created
    /// with `lock: false` is a programmer error.
    public func withLock<Result, Failure: Error>(_ body: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result) throws(Failure) -> Result {
        try payload.withLock(kind: "SharedArray", body)
    }

    /// Runs `body` on the elements without locking — for atomics or the caller's own
    /// synchronization. The buffer is valid during `body`.
    public func withUnsafeMutableBufferPointer<Result, Failure: Error>(_ body: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result) throws(Failure) -> Result {
        try withExtendedLifetime(self) { () throws(Failure) -> Result in
            try body(UnsafeMutableBufferPointer(start: payload.base, count: count))
        }
    }
}

extension SharedArray: RandomAccessCollection {
    /// 0.
    public var startIndex: Int { 0 }
    /// ``count``.
    public var endIndex: Int { count }
}

extension SharedArray: Codable {
    /// The array a handle refers to: the same elements, under the same lock. Throws if the
    /// handle is not a `SharedArray` of this `Element` type or its memory (or its lock's) is
    /// not available in this process.
    public convenience init(from decoder: any Decoder) throws {
        self.init(try SharedPayload<Element>.decode(kind: "SharedArray", from: decoder))
    }

    /// Encodes a handle to this array and its lock (see the type's documentation).
    public func encode(to encoder: any Encoder) throws {
        try payload.encode(kind: "SharedArray", to: encoder)
    }
}
