import SystemPackage
/// A fixed-size array of a trivial type in shared memory, optionally with a process-shared
/// lock (Python's `multiprocessing.Array`).
///
/// Children forked after its creation see the same elements. With a lock (the default), each
/// subscript access takes it, and ``withLock(_:)`` makes multi-element updates atomic.
///
/// ```swift
/// let hits = try SharedArray(repeating: 0, count: 4)
/// // in child number i:
/// hits.withLock { $0[i] += 1 }
/// ```
///
/// A shared array is `Codable` as a handle (where it is, its element type and count, its
/// lock): a value sent to another process may contain it, and the decoded array is this
/// array, in children started by the library with any start method. Decoding it with
/// another `Element` type throws.
public final class SharedArray<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The lock guarding the elements, nil when created with `lock: false`.
    public let lock: Lock?
    /// The number of elements (fixed).
    public let count: Int
    private let owner: SharedMemory
    /// Invariant: `count` initialized elements in `owner`'s memory.
    private let base: UnsafeMutablePointer<Element>

    /// `count` copies of `value` in shared memory, with a lock unless `lock` is false. Throws
    /// when shared memory cannot be created (out of memory, address space or descriptors).
    public convenience init(repeating value: Element, count: Int, lock: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        try self.init(count: count, lock: lock, site: CreationSite(file: file, line: line)) {
            $0.initialize(repeating: value, count: count)
        }
    }

    /// The elements of `elements` in shared memory, with a lock unless `lock` is false.
    public convenience init(_ elements: [Element], lock: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(Errno) {
        try self.init(count: elements.count, lock: lock, site: CreationSite(file: file, line: line)) { base in
            elements.withUnsafeBufferPointer { if let source = $0.baseAddress { base.initialize(from: source, count: $0.count) } }
        }
    }

    private init(count: Int, lock: Bool, site: CreationSite, initialize: (UnsafeMutablePointer<Element>) -> Void) throws(Errno) {
        usageCheck(count >= 0, "SharedArray needs a non-negative count")
        let layout = SharedObjectLayout(payloadSize: MemoryLayout<Element>.stride * count, alignment: MemoryLayout<Element>.alignment, locked: lock)
        let placement = try SharedArena.allocate(byteCount: layout.byteCount)
        owner = placement.owner
        base = (placement.pointer + layout.payloadOffset).bindMemory(to: Element.self, capacity: count)
        initialize(base)
        self.count = count
        self.lock = layout.lock(in: placement, site: site)
    }

    /// The array a handle refers to (see `init(from:)`).
    private init(_ payload: SharedPayload<Element>) {
        owner = payload.owner
        base = payload.base
        count = payload.count
        lock = payload.lock
    }

    /// The element at `index` (under the lock when there is one).
    public subscript(index: Int) -> Element {
        get {
            usageCheck(index >= 0 && index < count, "SharedArray index \(index) out of range 0..<\(count)")
            guard let lock else { return base[index] }
            return lock.withLock { base[index] }
        }
        set {
            usageCheck(index >= 0 && index < count, "SharedArray index \(index) out of range 0..<\(count)")
            guard let lock else {
                base[index] = newValue
                return
            }
            lock.withLock { base[index] = newValue }
        }
    }

    /// A copy of every element (taken under the lock when there is one).
    public func toArray() -> [Element] {
        let copy = { Array(UnsafeBufferPointer(start: self.base, count: self.count)) }
        guard let lock else { return copy() }
        return lock.withLock(copy)
    }

    /// Runs `body` on the elements while holding the lock. Stops the program if the array was
    /// created with `lock: false`.
    public func withLock<Result, Failure: Error>(_ body: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result) throws(Failure) -> Result {
        guard let lock else { fatalError("SharedArray.withLock: the array was created with lock: false") }
        lock.acquire()
        defer { lock.release() }
        return try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// Runs `body` on the elements without locking — for atomics or the caller's own
    /// synchronization. The buffer is valid during `body`.
    public func withUnsafeMutableBufferPointer<Result, Failure: Error>(_ body: (UnsafeMutableBufferPointer<Element>) throws(Failure) -> Result) throws(Failure) -> Result {
        try withExtendedLifetime(self) { () throws(Failure) -> Result in
            try body(UnsafeMutableBufferPointer(start: base, count: count))
        }
    }
}

extension SharedArray: Codable {
    /// The array a handle refers to: the same elements, under the same lock. Throws if the
    /// handle is not a `SharedArray` of this `Element` type or its memory is not available in
    /// this process.
    public convenience init(from decoder: any Decoder) throws {
        self.init(try SharedPayload<Element>.decode(kind: "SharedArray", from: decoder))
    }

    /// Encodes a handle to this array and its lock (see the type's documentation).
    public func encode(to encoder: any Encoder) throws {
        try SharedPayload(owner: owner, base: base, count: count, lock: lock).encode(kind: "SharedArray", to: encoder)
    }
}
