/// A lock that can be acquired and released: ``Lock``, ``RLock``, ``Condition`` (its lock),
/// ``Semaphore`` and ``BoundedSemaphore``.
///
/// `withLock` is provided for every conforming type. The `file` and `line` of each acquire
/// are the call site that deadlock reports show; conforming types default them to `#fileID`
/// and `#line`.
public protocol Lockable: AnyObject, Sendable {
    /// Blocks until acquired.
    func acquire(file: StaticString, line: UInt)
    /// Waits at most `timeout`; returns whether it was acquired. A negative timeout is a programmer error.
    func acquire(timeout: Duration, file: StaticString, line: UInt) -> Bool
    /// Acquires only if that is possible without waiting.
    func tryAcquire(file: StaticString, line: UInt) -> Bool
    /// Releases what `acquire` took.
    func release()
}

extension Lockable {
    /// Runs `body` while holding the lock, releasing it however `body` ends
    /// (Python's `with lock:`).
    @inlinable @inline(__always)
    public func withLock<Result, Failure: Error>(
        file: StaticString = #fileID, line: UInt = #line, _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        acquire(file: file, line: line)
        defer { release() }
        return try body()
    }
}
