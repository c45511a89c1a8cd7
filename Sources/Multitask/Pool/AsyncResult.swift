import Synchronization

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
// Not final: a ThreadPool's task is a subclass (the result is its own queued job), so that
// submitting allocates one object. One state word (`AsyncResultWord`), stored inline, replaces
// a lock and an event per result.
// @unchecked: `valueSlot` and `failedWith` are written once under the word's lock and read only after
// the word says the outcome is recorded; the callbacks are guarded by the word's lock. The word
// orders every access to them, so they skip the runtime exclusivity checks too.
public class AsyncResult<Value: Sendable>: @unchecked Sendable {
    /// A completion callback.
    typealias Callback = @Sendable (Result<Value, any Error>) -> Void

    // Must stay the first stored property: `word` finds it at the start of the object's
    // stored properties, as swift-atomics' `ManagedAtomic` does (checked in debug builds).
    private let state = Atomic<UInt32>(0)
    /// The kernel thread running the callbacks while the outcome is recorded but not ready.
    private let completingThread = Atomic<UInt32>(0)
    // The outcome as two fields rather than one `Result<Value, any Error>?`: a generic
    // multi-payload enum (or a `Value?`) makes the unspecialized code (completing on a worker,
    // the deinit) look its metadata up in the runtime's cache on every use. Written once,
    // before `recorded` is set.
    /// The task's value, once the outcome is recorded and the task succeeded (`failedWith`
    /// is nil); destroyed by the deinit.
    @exclusivity(unchecked) @usableFromInline final var valueSlot = AsyncResultValueSlot()
    /// The task's error (or the pool's), once the outcome is recorded and the task failed.
    @exclusivity(unchecked) @usableFromInline final var failedWith: (any Error)?
    /// The first callback inline (the common case: one `value` or `onCompletion`), the rest
    /// in an array (nil rather than empty: an empty array of a generic type is looked up too).
    @exclusivity(unchecked) private var firstCallback: Callback?
    @exclusivity(unchecked) private var laterCallbacks: [Callback]?

    @usableFromInline
    init() {
        assert(wordIsState(), "AsyncResult: the state word is not the first stored property")
    }

    deinit {
        if state.load(ordering: .acquiring) & AsyncResultWord.recorded != 0 && failedWith == nil {
            valueSlot.deinitialize(as: Value.self)
        }
    }

    /// The state word, waited on in place.
    @inlinable
    final var word: AsyncResultWord {
        AsyncResultWord(pointer: _getUnsafePointerToStoredProperties(self).assumingMemoryBound(to: Atomic<UInt32>.self))
    }

    /// Whether `word` is `state` (a write through one is seen through the other).
    private func wordIsState() -> Bool {
        state.store(0x5A5A, ordering: .relaxed)
        defer { state.store(0, ordering: .relaxed) }
        return word.pointer.pointee.load(ordering: .relaxed) == 0x5A5A
    }

    /// Whether the task has finished (with a value or an error) and its callbacks have run.
    public final var isReady: Bool { word.load() & AsyncResultWord.ready != 0 }

    /// Whether the task finished with a value. Asking before it is ready is a programmer
    /// error (Python raises `ValueError`).
    public final var isSuccessful: Bool {
        guard word.load() & AsyncResultWord.recorded != 0 else {
            usageFailure("AsyncResult.isSuccessful: the result is not ready")
        }
        return failedWith == nil
    }

    /// Blocks until the task has finished and its callbacks have run.
    public final func wait() {
        if isReady { return }
        checkNotInOwnCallback("wait()")
        _ = word.waitReady(until: nil)
    }

    /// Blocks at most `timeout`; returns whether the task has finished and its callbacks
    /// have run.
    @discardableResult
    public final func wait(timeout: Duration) -> Bool {
        let deadline = Deadline.timeout(timeout, of: "AsyncResult.wait(timeout:)")
        if isReady { return true }
        checkNotInOwnCallback("wait(timeout:)")
        return word.waitReady(until: deadline)
    }

    /// Blocks until the task has finished and returns its value or throws its error.
    ///
    /// Inlined, so that the value is read in the caller's specialized code (in the
    /// unspecialized body, reading an optional of a generic type looks its metadata up).
    @inlinable
    public final func get() throws -> Value {
        wait()
        if let failedWith { throw failedWith }
        return valueSlot.value(as: Value.self)
    }

    /// Like ``get()``, but throws ``PoolError/timedOut`` after `timeout`.
    public final func get(timeout: Duration) throws -> Value {
        guard wait(timeout: timeout) else { throw PoolError.timedOut }
        return try finishedValue()
    }

    /// The value, awaited without blocking a Swift concurrency thread.
    ///
    /// Inlined into the caller on purpose: the call the caller's code then awaits cannot
    /// throw (see `outcome`), the shape Swift 6.3.1's optimizer compiles correctly (see
    /// ``Pool/run(_:timeout:)``).
    @inlinable
    public final var value: Value {
        @inline(__always) get async throws { try await outcome.get() }
    }

    /// The outcome, awaited without blocking a Swift concurrency thread (it resumes on the
    /// thread that completes the task, among the callbacks).
    @usableFromInline
    final var outcome: Result<Value, any Error> {
        get async {
            await withCheckedContinuation { continuation in
                onCompletion { continuation.resume(returning: $0) }
            }
        }
    }

    /// Calls `callback` once with the outcome: right away if the task has finished, otherwise
    /// on the thread that completes the task, before the result becomes ready (Python's
    /// `callback`/`error_callback` in one).
    public final func onCompletion(_ callback: @escaping @Sendable (Result<Value, any Error>) -> Void) {
        let word = word
        let seen = word.lock()
        if seen & AsyncResultWord.recorded != 0 {
            word.unlock()
            callback(finished())
            return
        }
        if firstCallback == nil {
            firstCallback = callback
        } else if laterCallbacks == nil {
            laterCallbacks = [callback]
        } else {
            laterCallbacks!.append(callback)
        }
        word.unlock(setting: seen & AsyncResultWord.hasCallbacks == 0 ? AsyncResultWord.hasCallbacks : 0)
    }

    /// Records the outcome, runs the callbacks, then makes the result ready; later calls are
    /// ignored (the first outcome wins).
    final func complete(_ result: Result<Value, any Error>) {
        switch result {
        case .success(let value): succeed(value)
        case .failure(let error): _ = fail(error, unlessStarted: false)
        }
    }

    /// ``complete(_:)`` with a value, without building a `Result` (a worker's common case).
    /// Inlinable, so that a pool's reply stores the value in code specialised for it (see
    /// ``PoolTaskCodecs``): storing into an optional of a generic type looks its metadata up.
    @inlinable
    final func succeed(_ value: consuming Value) {
        guard let seen = beginRecording(unlessStarted: false) else { return }
        valueSlot.initialize(to: consume value)
        endRecording(seen)
    }

    /// ``complete(_:)`` with an error (`unlessStarted`: only if the task has not started);
    /// returns whether the error was recorded.
    @discardableResult @usableFromInline
    final func fail(_ error: any Error, unlessStarted: Bool) -> Bool {
        guard let seen = beginRecording(unlessStarted: unlessStarted) else { return false }
        failedWith = error
        endRecording(seen)
        return true
    }

    /// Fails the result with `reason` unless its task started (``claimStart()``) or it is
    /// complete; returns whether it did.
    @discardableResult
    final func failUnlessStarted(_ reason: PoolError) -> Bool {
        fail(reason, unlessStarted: true)
    }

    /// Marks the task started unless the result is complete or the task started already
    /// (a ``ThreadPool`` task runs once, or is cancelled once, never both).
    final func claimStart() -> Bool { word.claimStart() }

    /// Locks the word to record the outcome; returns the state seen, or nil (unlocked again)
    /// when an outcome is recorded already or, with `unlessStarted`, the task started.
    @inlinable @inline(__always)
    final func beginRecording(unlessStarted: Bool) -> UInt32? {
        let word = word
        let seen = word.lock()
        if seen & AsyncResultWord.recorded != 0 || (unlessStarted && seen & AsyncResultWord.started != 0) {
            word.unlock()
            return nil
        }
        return seen
    }

    /// With the outcome stored under the lock taken by ``beginRecording(unlessStarted:)``:
    /// publishes it, runs the callbacks, makes the result ready. Without callbacks, one
    /// atomic step publishes the outcome and makes the result ready.
    @inlinable @inline(__always)
    final func endRecording(_ seen: UInt32) {
        let word = word
        if seen & AsyncResultWord.hasCallbacks == 0 {
            word.unlockRecordedReady()
        } else {
            runCallbacks(word: word)
            word.markReady()
        }
    }

    /// With the word locked by ``beginRecording(unlessStarted:)`` and the outcome stored:
    /// takes the callbacks, unlocks with the outcome recorded, and runs them on this thread.
    @inline(never) @usableFromInline
    final func runCallbacks(word: AsyncResultWord) {
        let first = firstCallback
        firstCallback = nil
        let later = laterCallbacks ?? []
        laterCallbacks = nil
        word.unlock(setting: AsyncResultWord.recorded)
        let result = finished()
        completingThread.store(RecursiveMutexCore.currentThread, ordering: .relaxed)
        // Callbacks are user code, which may block anywhere: forks need not wait for them.
        ForkGate.outside {
            first?(result)
            for callback in later { callback(result) }
        }
        completingThread.store(0, ordering: .relaxed)
    }

    /// Stops a callback that waits for the result it is a callback of.
    private final func checkNotInOwnCallback(_ call: String) {
        let completing = completingThread.load(ordering: .relaxed)
        guard completing != 0 else { return }
        usageCheck(completing != RecursiveMutexCore.currentThread,
                   "AsyncResult.\(call): called from a completion callback of the same result, which runs before the result is ready; it would wait forever")
    }

    /// The outcome; only once recorded.
    private final func finished() -> Result<Value, any Error> {
        if let failedWith { return .failure(failedWith) }
        return .success(valueSlot.value(as: Value.self))
    }

    /// The value, or the error thrown; only once recorded.
    private final func finishedValue() throws -> Value {
        if let failedWith { throw failedWith }
        return valueSlot.value(as: Value.self)
    }
}
