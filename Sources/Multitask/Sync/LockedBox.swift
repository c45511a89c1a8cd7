/// A value that can be reached only with its lock held: the lock and the state it guards in
/// one object, so that "guarded by `lock`" is a fact of the type instead of a comment.
///
/// ```swift
/// static let children = LockedBox([ObjectIdentifier: Process]())
/// children.withLock { $0[ObjectIdentifier(process)] = process }
/// ```
///
/// The lock is an ``InternalLock``'s word, stored in the box (one object holds both):
/// short critical sections, no fork check, no deadlock detection. A box made with `inForkChild:` is reset in every fork child (``AfterFork``):
/// its lock is forced open, since a parent thread may have held it at the fork, and the reset
/// gets the value, to forget what belonged to the parent. Such a box lives as long as the
/// process (the fork registry keeps it), so make it a `static let` or the state of an
/// object that lives as long; a `static let` must be listed in ``LazyGlobals``.
///
/// A box costs what the ``InternalLock`` it replaces cost, and `withLock` what that lock and a
/// stored property beside it cost: no allocation, one futex-word compare-and-swap each way
/// when uncontended.
final class LockedBox<Value>: AfterForkReset {
    private let lock = InternalLockWord()
    private var value: Value
    /// What a fork child does to the value; nil for a box that is not reset in fork children.
    private let forkChildReset: ((inout Value) -> Void)?

    /// A box holding `value`, not reset in fork children.
    init(_ value: Value) {
        self.value = value
        self.forkChildReset = nil
    }

    /// A box holding `value`, reset in every fork child by `reset`, which runs on the child's
    /// only thread right after `fork` returns there. `reset` must not allocate or take locks
    /// (the child may have inherited them held) and should write only what differs: every
    /// page a fork child writes is copied.
    init(_ value: Value, inForkChild reset: @escaping (inout Value) -> Void) {
        self.value = value
        self.forkChildReset = reset
        super.init()
        AfterFork.register(self)
    }

    /// Runs `body` with the value, under the lock.
    @inline(__always)
    func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        try lock.withLock { () throws(Failure) -> Result in try body(&value) }
    }

    /// The reset registered with ``AfterFork``, called in a fork child only.
    override func runInForkChild() {
        lock.reinitializeAfterFork()
        forkChildReset?(&value)
    }
}

// @unchecked: `value` is read and written only inside `withLock`, under `lock` (or in a fork child's only thread).
extension LockedBox: @unchecked Sendable where Value: Sendable {}
