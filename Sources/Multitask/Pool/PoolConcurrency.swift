/// The `async` face of a process ``Pool``: awaiting never blocks a Swift concurrency thread
/// (results resume tasks from the dispatcher thread), and cancelling the awaiting task
/// withdraws the pool work that has not been sent to a worker yet.
extension Pool {
    // Why `run` and `map` are inlined shells over non-throwing calls: with Swift 6.3.1, a
    // release build of a caller such as
    //     group.addTask { do { return (n, .success(try await pool.run(task))) } catch { … } }
    // lost the store of `n` into the returned tuple (every n came back 0 or garbage). The
    // optimizer drops a value written into a closure's result before an awaited call that can
    // throw; it happens with any `async throws` callee, with or without
    // `withTaskCancellationHandler`, and not when the awaited call cannot throw. Inlined into
    // the caller, these functions leave it awaiting a call that returns a `Result`, and throw
    // (synchronously) after it: `PoolAsyncPatternTests` checks those patterns in CI's release
    // run.

    /// Runs `task` on a worker and awaits its output. Cancelling the awaiting task cancels the
    /// pool task if no worker has received it yet (it then throws ``PoolError/cancelled``).
    ///
    /// With a `timeout`, a task still running that long after it started is stopped, as with
    /// ``applyAsync(_:timeout:)``.
    @inlinable @inline(__always)
    public func run<Task: PoolTask>(_ task: Task, timeout: Duration? = nil) async throws -> Task.Output {
        try await outcome(of: task, timeout: timeout).get()
    }

    /// The outcome of `task`, awaited; see ``run(_:timeout:)``.
    @usableFromInline
    func outcome<Task: PoolTask>(of task: Task, timeout: Duration?) async -> Result<Task.Output, any Error> {
        let result = AsyncResult<Task.Output>()
        guard let submission = submission(task, timeout: timeout, result: result) else { return await result.outcome }
        dispatcher.submit(CollectionOfOne(submission))
        return await withTaskCancellationHandler {
            await result.outcome
        } onCancel: {
            submission.cancel(.cancelled)
        }
    }

    /// Applies `function` to every input and awaits the outputs in input order (Python's
    /// `map`, awaited). Cancelling the awaiting task cancels the chunks not yet sent to a
    /// worker.
    ///
    /// `progress` is called with (finished items, total) as chunks finish, on the dispatcher
    /// thread, as with ``map(_:_:chunkSize:progress:)``.
    @inlinable @inline(__always)
    public func map<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws -> [Function.Output] {
        try await mapOutcome(function, Array(inputs), chunkSize: chunkSize, progress: progress).get()
    }

    /// The outcome of a `map`, awaited; see the `async` `map`.
    @usableFromInline
    func mapOutcome<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: [Function.Input], chunkSize: Int,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    ) async -> Result<[Function.Output], any Error> {
        let (collector, submissions) = mapSubmissions(function, inputs, chunkSize: chunkSize, progress: progress)
        return await withTaskCancellationHandler {
            await collector.result.outcome
        } onCancel: {
            for submission in submissions { submission.cancel(.cancelled) }
        }
    }

    /// The outputs of `function` over `inputs` as an asynchronous sequence: in input order
    /// (`ordered`, Python's `imap`) or as they finish (Python's `imap_unordered`). Iteration
    /// throws the first failure it meets. Ending the iteration early (or cancelling the
    /// iterating task) cancels the chunks not yet sent to a worker.
    ///
    /// ```swift
    /// for try await square in pool.results(Square.self, Array(1...100), ordered: false) {
    ///     print(square)
    /// }
    /// ```
    public func results<Function: PoolFunction>(
        _ function: Function.Type, _ inputs: some Sequence<Function.Input>, chunkSize: Int = 1, ordered: Bool = true
    ) -> AsyncThrowingStream<Function.Output, any Error> {
        let inputs = Array(inputs)
        let (stream, continuation) = AsyncThrowingStream<Function.Output, any Error>.makeStream()
        let order = PoolReorderBuffer<Function.Output>(count: inputs.count, ordered: ordered, continuation: continuation)
        let submissions = forEachOutcome(function, inputs, chunkSize: chunkSize) { index, outcome in order.arrived(index, outcome) }
        continuation.onTermination = { _ in
            for submission in submissions { submission.cancel(.cancelled) }
        }
        return stream
    }
}

/// Feeds outcomes that arrive in any order to a stream, in input order or as they come.
final class PoolReorderBuffer<Value: Sendable>: Sendable {
    /// Outcomes that came before their turn, the next index due and how many went out.
    private struct Progress {
        var waiting: [Int: Result<Value, any Error>] = [:]
        var next = 0
        var delivered = 0
    }

    private let progress = LockedBox(Progress())
    private let count: Int
    private let ordered: Bool
    private let continuation: AsyncThrowingStream<Value, any Error>.Continuation

    init(count: Int, ordered: Bool, continuation: AsyncThrowingStream<Value, any Error>.Continuation) {
        self.count = count
        self.ordered = ordered
        self.continuation = continuation
        if count == 0 { continuation.finish() }
    }

    /// Item `index` finished with `outcome`.
    func arrived(_ index: Int, _ outcome: Result<Value, any Error>) {
        progress.withLock { progress in
            if ordered {
                progress.waiting[index] = outcome
                while let ready = progress.waiting.removeValue(forKey: progress.next) {
                    progress.next += 1
                    emit(ready, &progress)
                }
            } else {
                emit(outcome, &progress)
            }
        }
    }

    private func emit(_ outcome: Result<Value, any Error>, _ progress: inout Progress) {
        progress.delivered += 1
        switch outcome {
        case .success(let value):
            continuation.yield(value)
            if progress.delivered == count { continuation.finish() }
        case .failure(let error):
            continuation.finish(throwing: error)
        }
    }
}
