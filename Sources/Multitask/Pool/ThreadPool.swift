/// A pool of worker threads that run submitted closures (Python's
/// `multiprocessing.pool.ThreadPool`).
///
/// Threads are started once and reused. Submit work with ``applyAsync(_:)`` (a handle to the
/// result), ``apply(_:)`` (wait for it), ``map(_:chunkSize:progress:_:)`` (results in input
/// order), ``imap(_:_:)`` / ``imapUnordered(_:_:)`` (results as they come), or from `async`
/// code with ``run(_:)``. ``close()`` stops accepting work and lets queued tasks finish;
/// ``terminate()`` discards queued tasks; ``join()`` waits for the threads after either.
/// ``withPool(threads:_:)`` scopes a pool and always cleans up.
///
/// An error thrown by a task is that task's result only: the pool goes on.
///
/// ```swift
/// let squares = try ThreadPool.withPool(threads: 4) { pool in
///     try pool.map(Array(1...10)) { $0 * $0 }
/// }
/// ```
public final class ThreadPool: @unchecked Sendable {
    private let jobs = ThreadQueue<PoolJob>()
    private var workers: [Thread] = []
    private let state = InternalLock()
    private var accepting = true
    /// The number of worker threads.
    public let threadCount: Int

    /// Starts `threads` workers (default: the CPUs this process may use); `initializer` runs
    /// first in each worker.
    public init(threads: Int = CPU.available, initializer: (@Sendable () -> Void)? = nil) {
        usageCheck(threads > 0, "ThreadPool(threads:): needs at least one thread, got \(threads)")
        threadCount = threads
        workers = (0..<threads).map { [jobs] index in
            Thread(name: "ThreadPool-worker-\(index + 1)", daemon: true) {
                initializer?()
                while let job = try? jobs.get() { job.run() }
            }
        }
        workers.forEach { $0.start() }
    }

    deinit {
        if state.withLock({ accepting }) { jobs.shutdown() }
    }

    // MARK: Submitting

    /// Submits `task` and returns a handle to its result right away.
    @discardableResult
    public func applyAsync<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value) -> AsyncResult<Value> {
        let result = AsyncResult<Value>()
        submit(job(task, into: result))
        return result
    }

    /// Runs `task` on a worker and waits for its value.
    public func apply<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value) throws -> Value {
        try applyAsync(task).get()
    }

    /// Applies `transform` to every item on the workers; returns the values in input order,
    /// or throws the first error in input order (Python's `map`).
    ///
    /// `chunkSize` items travel as one task (less overhead for tiny tasks); `progress` is
    /// called with (finished items, total) as chunks finish.
    public func map<Item: Sendable, Value: Sendable>(
        _ items: [Item], chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        _ transform: @escaping @Sendable (Item) throws -> Value
    ) throws -> [Value] {
        try mapAsync(items, chunkSize: chunkSize, progress: progress, transform).get()
    }

    /// Like ``map(_:chunkSize:progress:_:)`` without waiting: one handle for the whole list.
    public func mapAsync<Item: Sendable, Value: Sendable>(
        _ items: [Item], chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> AsyncResult<[Value]> {
        usageCheck(chunkSize > 0, "ThreadPool.map: chunkSize must be positive, got \(chunkSize)")
        let chunks = stride(from: 0, to: items.count, by: chunkSize).map { Array(items[$0..<min($0 + chunkSize, items.count)]) }
        let counter = ProgressCounter(total: items.count, report: progress)
        let parts = chunks.map { chunk in
            applyAsync { () throws -> [Value] in
                defer { counter.add(chunk.count) }
                return try chunk.map(transform)
            }
        }
        let whole = AsyncResult<[Value]>()
        let remaining = ProgressCounter(total: parts.count, report: nil)
        if parts.isEmpty { whole.complete(.success([])) }
        for part in parts {
            part.onCompletion { _ in
                if remaining.add(1) == parts.count {
                    whole.complete(Result { try parts.flatMap { try $0.get() } })
                }
            }
        }
        return whole
    }

    /// Submits one task per item; iterate the returned results in input order as they finish.
    public func imap<Item: Sendable, Value: Sendable>(
        _ items: [Item], _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> PoolResults<Value> {
        PoolResults(pending: items.map { item in applyAsync { try transform(item) } })
    }

    /// Submits one task per item; the returned queue yields each outcome as soon as it is
    /// ready, in completion order (Python's `imap_unordered`). Exactly `items.count` outcomes
    /// arrive.
    public func imapUnordered<Item: Sendable, Value: Sendable>(
        _ items: [Item], _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> SimpleThreadQueue<Result<Value, any Error>> {
        let arrivals = SimpleThreadQueue<Result<Value, any Error>>()
        for item in items {
            applyAsync { try transform(item) }.onCompletion { arrivals.put($0) }
        }
        return arrivals
    }

    // MARK: async

    /// Runs `task` on a worker and awaits its value without blocking a Swift concurrency
    /// thread. Cancelling the awaiting task cancels the pool task if it has not started.
    public func run<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value) async throws -> Value {
        let result = AsyncResult<Value>()
        let job = job(task, into: result)
        submit(job)
        return try await withTaskCancellationHandler {
            try await result.value
        } onCancel: {
            job.cancel(.cancelled)
        }
    }

    /// Applies `transform` to every item and awaits all values in input order.
    public func map<Item: Sendable, Value: Sendable>(
        _ items: [Item], chunkSize: Int = 1, _ transform: @escaping @Sendable (Item) throws -> Value
    ) async throws -> [Value] {
        try await mapAsync(items, chunkSize: chunkSize, transform).value
    }

    // MARK: Lifecycle

    /// Stops accepting tasks; queued tasks still run, then the workers end.
    public func close() {
        state.withLock { accepting = false }
        jobs.shutdown()
    }

    /// Stops accepting tasks and fails every queued task with ``PoolError/terminated``;
    /// running tasks finish (threads cannot be killed), then the workers end.
    public func terminate() {
        state.withLock { accepting = false }
        while let job = jobs.tryGet() { job.cancel(.terminated) }
        jobs.shutdown(immediate: true)
    }

    /// Waits for every worker to end. Call ``close()`` or ``terminate()`` first: joining a
    /// pool that still accepts work is a programmer error (Python raises `ValueError`).
    public func join() {
        usageCheck(!state.withLock { accepting }, "ThreadPool.join(): call close() or terminate() first")
        workers.forEach { $0.join() }
    }

    /// Runs `body` with a new pool, then terminates and joins it however `body` ends
    /// (Python's `with ThreadPool() as pool:`).
    public static func withPool<Result>(
        threads: Int = CPU.available, _ body: (ThreadPool) throws -> Result
    ) rethrows -> Result {
        let pool = ThreadPool(threads: threads)
        defer {
            pool.terminate()
            pool.join()
        }
        return try body(pool)
    }

    // MARK: Internals

    private func job<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value, into result: AsyncResult<Value>) -> PoolJob {
        PoolJob(body: { result.complete(Result { try task() }) }, onCancel: { result.complete(.failure($0)) })
    }

    private func submit(_ job: PoolJob) {
        let open = state.withLock { accepting }
        if !open || !jobs.tryPut(job) { job.cancel(.closed) }
    }
}

/// Counts finished work and reports it.
final class ProgressCounter: @unchecked Sendable {
    private let lock = InternalLock()
    private var done = 0
    let total: Int
    let report: (@Sendable (Int, Int) -> Void)?

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    /// Adds `n` and returns the new count; reports are serialized and in increasing order.
    @discardableResult
    func add(_ n: Int) -> Int {
        lock.withLock {
            done += n
            report?(done, total)
            return done
        }
    }
}
