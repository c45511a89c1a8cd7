/// The pending result of a task submitted to a pool (Python's `AsyncResult`).
///
/// Wait for it synchronously with ``get()``/``get(timeout:)``, asynchronously with
/// ``value``, or register ``onCompletion(_:)``. An error thrown by the task is rethrown by
/// `get`; a ``PoolError`` says what the pool did instead (closed, terminated, …).
///
/// ```swift
/// let result = pool.applyAsync { fibonacci(30) }
/// print(try result.get(timeout: .seconds(5)))
/// ```
public final class AsyncResult<Value: Sendable>: @unchecked Sendable {
    private let lock = InternalLock()
    private var outcome: Result<Value, any Error>?
    private var callbacks: [@Sendable (Result<Value, any Error>) -> Void] = []
    private let done = Event()

    init() {}

    /// Whether the task has finished (with a value or an error).
    public var isReady: Bool { done.isSet }

    /// Whether the task finished with a value. Asking before it is ready is a programmer
    /// error (Python raises `ValueError`).
    public var isSuccessful: Bool {
        lock.withLock {
            guard let outcome else { usageFailure("AsyncResult.isSuccessful: the result is not ready") }
            if case .success = outcome { return true }
            return false
        }
    }

    /// Blocks until the task has finished.
    public func wait() { done.wait() }

    /// Blocks at most `timeout`; returns whether the task has finished.
    @discardableResult
    public func wait(timeout: Duration) -> Bool { done.wait(timeout: timeout) }

    /// Blocks until the task has finished and returns its value or throws its error.
    public func get() throws -> Value {
        done.wait()
        return try finished().get()
    }

    /// Like ``get()``, but throws ``PoolError/timedOut`` after `timeout`.
    public func get(timeout: Duration) throws -> Value {
        guard done.wait(timeout: timeout) else { throw PoolError.timedOut }
        return try finished().get()
    }

    /// The value, awaited without blocking a Swift concurrency thread.
    public var value: Value {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                onCompletion { continuation.resume(with: $0) }
            }
        }
    }

    /// Calls `callback` once with the outcome: right away if it is ready, otherwise on the
    /// thread that completes the task (Python's `callback`/`error_callback` in one).
    public func onCompletion(_ callback: @escaping @Sendable (Result<Value, any Error>) -> Void) {
        let ready: Result<Value, any Error>? = lock.withLock {
            if outcome == nil { callbacks.append(callback) }
            return outcome
        }
        if let ready { callback(ready) }
    }

    /// Records the outcome; later calls are ignored (the first outcome wins).
    func complete(_ result: Result<Value, any Error>) {
        let toCall: [@Sendable (Result<Value, any Error>) -> Void]? = lock.withLock {
            guard outcome == nil else { return nil }
            outcome = result
            defer { callbacks = [] }
            return callbacks
        }
        guard let toCall else { return }
        done.set()
        for callback in toCall { callback(result) }
    }

    private func finished() -> Result<Value, any Error> {
        lock.withLock { outcome! }
    }
}
