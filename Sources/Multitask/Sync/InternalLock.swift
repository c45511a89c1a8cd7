/// The library's own short-held lock for registries and bookkeeping.
///
/// Unlike ``Lock`` it has no fork check: a fork child re-creates what it needs with
/// `reinitializeAfterFork()`, since a parent thread may have held it at the moment of fork.
// @unchecked: its only state is a futex word, changed atomically.
final class InternalLock: @unchecked Sendable {
    private let storage = SyncStorage(localWords: 1)
    private var core: MutexCore { MutexCore(word: storage.word(0)) }

    init() {}

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
