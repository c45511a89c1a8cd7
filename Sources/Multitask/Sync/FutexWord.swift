import Synchronization

/// One 32-bit atomic word that threads (or processes) can sleep on.
///
/// Every blocking primitive in Multitask is a few of these words plus a state machine. The
/// word may live in private memory (thread use) or in shared memory (process use); `isShared`
/// picks the futex flavour accordingly.
// @unchecked: a pointer is not Sendable; the word it points at is an atomic, safe from any thread.
@usableFromInline
struct FutexWord: @unchecked Sendable {
    /// Invariant: points at an initialized `Atomic<UInt32>` that outlives every use of this value.
    @usableFromInline let pointer: UnsafeMutablePointer<Atomic<UInt32>>
    /// Whether the word may be shared with other processes.
    @usableFromInline let isShared: Bool

    @inlinable @inline(__always) func load() -> UInt32 { pointer.pointee.load(ordering: .acquiring) }
    @inline(__always) func loadRelaxed() -> UInt32 { pointer.pointee.load(ordering: .relaxed) }
    @inline(__always) func store(_ value: UInt32) { pointer.pointee.store(value, ordering: .releasing) }

    @inline(__always) func exchange(_ value: UInt32) -> UInt32 {
        pointer.pointee.exchange(value, ordering: .acquiringAndReleasing)
    }

    @inlinable @inline(__always) func compareExchange(_ expected: UInt32, _ desired: UInt32) -> (exchanged: Bool, original: UInt32) {
        pointer.pointee.compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }

    @discardableResult @inline(__always)
    func add(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingAdd(delta, ordering: .acquiringAndReleasing).oldValue
    }

    @discardableResult @inline(__always)
    func subtract(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingSubtract(delta, ordering: .acquiringAndReleasing).oldValue
    }

    /// Subtracts 1 and returns the new value. A caller that only compares the result with 0
    /// compiles to one `lock dec` and a branch on its flags.
    @inlinable @inline(__always)
    func decrement() -> UInt32 {
        pointer.pointee.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue
    }

    @discardableResult @inline(__always)
    func bitAnd(_ bits: UInt32) -> UInt32 { pointer.pointee.bitwiseAnd(bits, ordering: .acquiringAndReleasing).oldValue }

    /// The word as the kernel sees it. Only ``park(until:spin:poll:prepare:)`` sleeps on it.
    var raw: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: UInt32.self)
    }

    /// Wakes up to `count` sleepers.
    @discardableResult
    func wake(_ count: Int32 = 1) -> Int { Futex.wake(raw, count: count, shared: isShared) }

    /// Wakes every sleeper.
    @discardableResult @usableFromInline
    func wakeAll() -> Int { Futex.wake(raw, count: Int32.max, shared: isShared) }
}

extension FutexWord {
    // Sequentially consistent forms, for hand-shakes across two words ("I registered as a
    // waiter, then read the value" against "I changed the value, then read the waiter count"):
    // acquire/release alone would let both sides read the old value of the other word.
    @inline(__always) func loadSequentiallyConsistent() -> UInt32 {
        pointer.pointee.load(ordering: .sequentiallyConsistent)
    }

    @discardableResult @inline(__always)
    func addSequentiallyConsistent(_ delta: UInt32) -> UInt32 {
        pointer.pointee.wrappingAdd(delta, ordering: .sequentiallyConsistent).oldValue
    }

    @inline(__always)
    func compareExchangeSequentiallyConsistent(_ expected: UInt32, _ desired: UInt32) -> (exchanged: Bool, original: UInt32) {
        pointer.pointee.compareExchange(expected: expected, desired: desired, ordering: .sequentiallyConsistent)
    }

    @inline(__always) func storeRelaxed(_ value: UInt32) { pointer.pointee.store(value, ordering: .relaxed) }
}
