/// Where an ``AsyncResult`` keeps its task's value: in place when it fits in three words and
/// word alignment (an `Int`, a `String`, an array: no allocation), else in memory allocated
/// for it.
///
/// Raw words to the compiler, not a `Value?`: destroying or writing an optional of a generic
/// type in unspecialized code (a result's deinit, a worker completing a task) asks the
/// runtime for `Optional<Value>`'s metadata, a locked hash-table lookup that was a quarter of
/// `ThreadPool.applyAsync`'s cost per task. The value's own metadata, which these methods use,
/// comes with the generic result at no cost.
///
/// The slot does not know whether it holds a value: its owner does (the result's recorded
/// success) and calls ``initialize(to:)`` once, ``value(as:)`` after it, and
/// ``deinitialize(as:)`` at most once at the end, always with the same type.
@usableFromInline
struct AsyncResultValueSlot {
    @usableFromInline var words: (UInt, UInt, UInt) = (0, 0, 0)

    @inlinable init() {}

    /// Whether a `Value` is stored in the words themselves rather than behind a pointer.
    @inlinable @inline(__always)
    static func fitsInPlace<Value>(_: Value.Type) -> Bool {
        MemoryLayout<Value>.size <= MemoryLayout<(UInt, UInt, UInt)>.size
            && MemoryLayout<Value>.alignment <= MemoryLayout<UInt>.alignment
    }

    /// Stores `value` in the empty slot. Called on the slot in place (a stored property of
    /// the result object), so that a value lives at one address until it is destroyed.
    @inlinable
    mutating func initialize<Value>(to value: consuming Value) {
        let value = consume value
        withUnsafeMutableBytes(of: &words) { bytes in
            // Invariant: the slot is empty, and `fitsInPlace` decides the same way for
            // every call with this `Value`.
            if Self.fitsInPlace(Value.self) {
                bytes.baseAddress!.initializeMemory(as: Value.self, to: value)
            } else {
                let storage = UnsafeMutablePointer<Value>.allocate(capacity: 1)
                storage.initialize(to: value)
                bytes.storeBytes(of: storage, as: UnsafeMutablePointer<Value>.self)
            }
        }
    }

    /// A copy of the value stored by ``initialize(to:)``.
    @inlinable
    mutating func value<Value>(as _: Value.Type) -> Value {
        withUnsafeMutableBytes(of: &words) { bytes in
            // Invariant: the slot holds a `Value` (in place or behind the stored pointer).
            if Self.fitsInPlace(Value.self) { return bytes.baseAddress!.assumingMemoryBound(to: Value.self).pointee }
            return bytes.load(as: UnsafeMutablePointer<Value>.self).pointee
        }
    }

    /// Destroys the value stored by ``initialize(to:)`` (and frees its memory).
    @usableFromInline
    mutating func deinitialize<Value>(as _: Value.Type) {
        withUnsafeMutableBytes(of: &words) { bytes in
            // Invariant: the slot holds a `Value`; it is empty afterwards.
            if Self.fitsInPlace(Value.self) {
                bytes.baseAddress!.assumingMemoryBound(to: Value.self).deinitialize(count: 1)
            } else {
                let storage = bytes.load(as: UnsafeMutablePointer<Value>.self)
                storage.deinitialize(count: 1)
                storage.deallocate()
            }
        }
    }
}
