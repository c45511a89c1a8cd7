/// The pending result of a task submitted to a ``Pool`` or a ``ThreadPool`` (Python's
/// `AsyncResult`).
///
/// Wait for it synchronously with ``get()``/``get(timeout:)``/``wait()``, asynchronously with
/// ``value``, or register ``onCompletion(_:)``. An error thrown by the task is rethrown by
/// `get`; a ``PoolError`` says what the pool did instead (closed, terminated, …).
///
/// Completion callbacks run before the result becomes ready, as in Python: once ``wait()`` or
/// ``get()`` returns (or ``isReady`` is true), every callback registered before the task
/// finished has run. A callback therefore must not wait for its own result: that is a
/// programmer error, reported as such (it would wait forever).
///
/// ```swift
/// struct Fibonacci: PoolTask {
///     var n: Int
///     func run() -> Int { n < 2 ? n : Fibonacci(n: n - 1).run() + Fibonacci(n: n - 2).run() }
/// }
/// let result = pool.applyAsync(Fibonacci(n: 30))            // a process Pool
/// result.onCompletion { print("done:", $0) }
/// print(try result.get(timeout: .seconds(5)))               // 832040, after "done: …"
/// let squared = threadPool.applyAsync { 12 * 12 }            // a ThreadPool takes closures
/// ```
public final class AsyncResult<Value: Sendable>: Sendable {
    /// The outcome once recorded, and who waits for it.
    private struct State {
        var recorded: Result<Value, any Error>?
        var callbacks: [@Sendable (Result<Value, any Error>) -> Void] = []
        /// The kernel thread running the callbacks while the outcome is recorded but not ready.
        var completingThread: UInt32?
    }

    private let state = LockedBox(State())
    private let done = Event()

    init() {}

    /// Whether the task has finished (with a value or an error) and its callbacks have run.
    public var isReady: Bool { done.isSet }

    /// Whether the task finished with a value. Asking before it is ready is a programmer
    /// error (Python raises `ValueError`).
    public var isSuccessful: Bool {
        state.withLock { state in
            guard let recorded = state.recorded else { usageFailure("AsyncResult.isSuccessful: the result is not ready") }
            if case .success = recorded { return true }
            return false
        }
    }

    /// Blocks until the task has finished and its callbacks have run.
    public func wait() {
        checkNotInOwnCallback("wait()")
        done.wait()
    }

    /// Blocks at most `timeout`; returns whether the task has finished and its callbacks
    /// have run.
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        checkNotInOwnCallback("wait(timeout:)")
        return done.wait(until: .timeout(timeout, of: "AsyncResult.wait(timeout:)"))
    }

    /// Blocks until the task has finished and returns its value or throws its error.
    public func get() throws -> Value {
        wait()
        return try finished().get()
    }

    /// Like ``get()``, but throws ``PoolError/timedOut`` after `timeout`.
    public func get(timeout: Duration) throws -> Value {
        guard wait(timeout: timeout) else { throw PoolError.timedOut }
        return try finished().get()
    }

    /// The value, awaited without blocking a Swift concurrency thread.
    ///
    /// Inlined into the caller on purpose: the call the caller's code then awaits cannot
    /// throw (see `outcome`), the shape Swift 6.3.1's optimizer compiles correctly (see
    /// ``Pool/run(_:timeout:)``).
    @inlinable
    public var value: Value {
        @inline(__always) get async throws { try await outcome.get() }
    }

    /// The outcome, awaited without blocking a Swift concurrency thread (it resumes on the
    /// thread that completes the task, among the callbacks).
    @usableFromInline
    var outcome: Result<Value, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                onCompletion { continuation.resume(returning: $0) }
            }
        }
    }

    /// Calls `callback` once with the outcome: right away if the task has finished, otherwise
    /// on the thread that completes the task, before the result becomes ready (Python's
    /// `callback`/`error_callback` in one).
    public func onCompletion(_ callback: @escaping @Sendable (Result<Value, any Error>) -> Void) {
        let ready: Result<Value, any Error>? = state.withLock { state in
            if state.recorded == nil { state.callbacks.append(callback) }
            return state.recorded
        }
        if let ready { callback(ready) }
    }

    /// Records the outcome, runs the callbacks, then makes the result ready; later calls are
    /// ignored (the first outcome wins).
    func complete(_ result: Result<Value, any Error>) {
        let me = RecursiveMutexCore.currentThread
        let toCall: [@Sendable (Result<Value, any Error>) -> Void]? = state.withLock { state in
            guard state.recorded == nil else { return nil }
            state.recorded = result
            state.completingThread = me
            defer { state.callbacks = [] }
            return state.callbacks
        }
        guard let toCall else { return }
        // Callbacks are user code, which may block anywhere: forks need not wait for them.
        if !toCall.isEmpty { ForkGate.outside { for callback in toCall { callback(result) } } }
        state.withLock { $0.completingThread = nil }
        done.set()
    }

    /// Stops a callback that waits for the result it is a callback of.
    private func checkNotInOwnCallback(_ call: String) {
        guard !done.isSet else { return }
        let me = RecursiveMutexCore.currentThread
        usageCheck(state.withLock { $0.completingThread != me },
                   "AsyncResult.\(call): called from a completion callback of the same result, which runs before the result is ready; it would wait forever")
    }

    private func finished() -> Result<Value, any Error> {
        state.withLock { $0.recorded! }
    }
}
