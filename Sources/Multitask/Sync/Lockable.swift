/// A lock that can be acquired and released: ``Lock``, ``RLock``, ``Condition`` (its lock),
/// ``Semaphore`` and ``BoundedSemaphore``.
///
/// `withLock` is provided for every conforming type.
public protocol Lockable: AnyObject, Sendable {
    /// Blocks until acquired.
    func acquire()
    /// Waits at most `timeout`; returns whether it was acquired.
    func acquire(timeout: Duration) -> Bool
    /// Acquires only if that is possible without waiting.
    func tryAcquire() -> Bool
    /// Releases what `acquire` took.
    func release()
}

extension Lockable {
    /// Runs `body` while holding the lock, releasing it however `body` ends
    /// (Python's `with lock:`).
    @inline(__always)
    public func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        acquire()
        defer { release() }
        return try body()
    }
}
