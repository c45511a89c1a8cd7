/// The library's own short-held lock for registries and bookkeeping.
///
/// Unlike ``Lock`` it has no fork check: a fork child re-creates what it needs with
/// `reinitializeAfterFork()`, since a parent thread may have held it at the moment of fork.
/// State it guards is best kept in a ``LockedBox``, which holds the value and the lock.
// @unchecked: its only state is a futex word, changed atomically.
final class InternalLock: @unchecked Sendable {
    private let word = InternalLockWord()

    init() {}

    @inline(__always)
    func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        try word.withLock(body)
    }

    /// Forces the lock open; only valid in a fork child, where no other thread exists.
    func reinitializeAfterFork() { word.reinitializeAfterFork() }
}

/// The futex word of an ``InternalLock`` or a ``LockedBox``, stored inline in its owner.
struct InternalLockWord: Sendable {
    private let storage = SyncStorage(localWords: 1)
    private var core: MutexCore { MutexCore(word: storage.word(0)) }

    @inline(__always)
    func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        _ = core.lock(until: nil)
        defer { _ = core.unlock() }
        return try body()
    }

    /// Forces the lock open; only valid in a fork child, where no other thread exists. A lock
    /// that is already open is not written: every page a fork child writes is copied.
    func reinitializeAfterFork() {
        let word = storage.word(0)
        if word.loadRelaxed() != 0 { word.store(0) }
    }
}
