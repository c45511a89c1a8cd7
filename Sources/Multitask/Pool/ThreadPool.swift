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
public final class ThreadPool: Sendable {
    @usableFromInline let jobs = ThreadPoolQueue()
    private let workers: [Thread]
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
                while let job = jobs.next() { job.run() }
            }
        }
        workers.forEach { $0.start() }
    }

    deinit {
        jobs.close()
    }

    // MARK: Submitting

    /// Submits `task` and returns a handle to its result right away.
    ///
    /// Inlined, so that the task object is made with its type's metadata looked up once per
    /// call site rather than in the runtime's cache on every call.
    @inlinable @discardableResult
    public func applyAsync<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value) -> AsyncResult<Value> {
        let job = ThreadPoolTask(task)
        if !jobs.put(job) { job.cancel(.closed) }
        return job
    }

    /// Runs `task` on a worker and waits for its value.
    public func apply<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value) throws -> Value {
        try applyAsync(task).get()
    }

    /// Applies `transform` to every item on the workers; returns the values in input order,
    /// or throws the first error in input order (Python's `map`). `items` may be any
    /// sequence; it is read to its end first, as Python's `map` does.
    ///
    /// `chunkSize` items travel as one task (less overhead for tiny tasks); `progress` is
    /// called with (finished items, total) as chunks finish.
    ///
    /// Inlined, so that `items` is read into an array in code specialized for its type (in
    /// the unspecialized body every item costs generic witness calls).
    @inlinable
    public func map<Item: Sendable, Value: Sendable>(
        _ items: some Sequence<Item>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        _ transform: @escaping @Sendable (Item) throws -> Value
    ) throws -> [Value] {
        try mapAsync(items, chunkSize: chunkSize, progress: progress, transform).get()
    }

    /// Like ``map(_:chunkSize:progress:_:)`` without waiting: one handle for the whole list
    /// (Python's `map_async`). Inlined for the reason given at ``map(_:chunkSize:progress:_:)``.
    @inlinable
    public func mapAsync<Item: Sendable, Value: Sendable>(
        _ items: some Sequence<Item>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> AsyncResult<[Value]> {
        mapAsync(array: Array(items), chunkSize: chunkSize, progress: progress, transform)
    }

    /// ``mapAsync(_:chunkSize:progress:_:)`` of items already in an array.
    @usableFromInline
    func mapAsync<Item: Sendable, Value: Sendable>(
        array items: [Item], chunkSize: Int,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?,
        _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> AsyncResult<[Value]> {
        usageCheck(chunkSize > 0, "ThreadPool.map: chunkSize must be positive, got \(chunkSize)")
        let map = ThreadPoolMap(items: items, chunkSize: chunkSize, progress: progress, transform: transform)
        guard map.chunkCount > 0 else { return map.whole }
        let chunks = map.jobs()
        if !jobs.put(contentsOf: chunks) {
            for chunk in chunks { chunk.cancel(.closed) }
        }
        return map.whole
    }

    /// Python's `imap`: iterate the outcomes in input order, each as soon as it (and those
    /// before it) are ready. One item's failure does not hide the others.
    ///
    /// `items` is read as the results are iterated: the pool keeps at most 64 items per
    /// thread submitted beyond those iterated (see ``PoolResults``), so an endless sequence
    /// works when only part of it is taken.
    public func imap<Item: Sendable, Value: Sendable>(
        _ items: some Sequence<Item>, _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> PoolResults<Value> {
        lazyResults(items, ordered: true, transform)
    }

    /// Python's `imap_unordered`: iterate the outcomes as they become ready, in completion
    /// order. Exactly one outcome per item arrives; `items` is read as in ``imap(_:_:)``.
    public func imapUnordered<Item: Sendable, Value: Sendable>(
        _ items: some Sequence<Item>, _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> PoolResults<Value> {
        lazyResults(items, ordered: false, transform)
    }

    /// The lazily fed results of `imap` and `imapUnordered`.
    private func lazyResults<Item: Sendable, Value: Sendable>(
        _ items: some Sequence<Item>, ordered: Bool, _ transform: @escaping @Sendable (Item) throws -> Value
    ) -> PoolResults<Value> {
        var iterator = items.makeIterator()
        return PoolResults(ordered: ordered, lookahead: threadCount * 64, step: 1) { first, limit, arrivals in
            var count = 0
            while count < limit, let item = iterator.next() {
                let index = first + count
                self.applyAsync { try transform(item) }.onCompletion { arrivals.put((index, $0)) }
                count += 1
            }
            return count
        }
    }

    // MARK: async

    /// Runs `task` on a worker and awaits its value without blocking a Swift concurrency
    /// thread. Cancelling the awaiting task cancels the pool task if it has not started.
    ///
    /// Inlined into the caller over a call that cannot throw, for the reason given at
    /// ``Pool/run(_:timeout:)``.
    @inlinable @inline(__always)
    public func run<Value: Sendable>(_ task: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await outcome(of: task).get()
    }

    /// The outcome of `task`, awaited; see ``run(_:)``.
    @usableFromInline
    func outcome<Value: Sendable>(of task: @escaping @Sendable () throws -> Value) async -> Result<Value, any Error> {
        let job = ThreadPoolTask(task)
        if !jobs.put(job) { job.cancel(.closed) }
        return await withTaskCancellationHandler {
            await job.outcome
        } onCancel: {
            job.cancel(.cancelled)
        }
    }

    /// Applies `transform` to every item and awaits all values in input order; `progress` as
    /// in ``map(_:chunkSize:progress:_:)``. Inlined for the reason given at
    /// ``Pool/run(_:timeout:)``.
    @inlinable @inline(__always)
    public func map<Item: Sendable, Value: Sendable>(
        _ items: some Sequence<Item>, chunkSize: Int = 1,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
        _ transform: @escaping @Sendable (Item) throws -> Value
    ) async throws -> [Value] {
        try await mapAsync(items, chunkSize: chunkSize, progress: progress, transform).outcome.get()
    }

    // MARK: Lifecycle

    /// Stops accepting tasks; queued tasks still run, then the workers end.
    public func close() {
        jobs.close()
    }

    /// Stops accepting tasks and fails every queued task with ``PoolError/terminated``;
    /// running tasks finish (threads cannot be killed), then the workers end.
    public func terminate() {
        for job in jobs.closeDiscarding() { job.cancel(.terminated) }
    }

    /// Waits for every worker to end. Call ``close()`` or ``terminate()`` first: joining a
    /// pool that still accepts work is a programmer error (Python raises `ValueError`).
    public func join() {
        usageCheck(jobs.closed, "ThreadPool.join(): call close() or terminate() first")
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
}

/// Counts finished work and reports it.
final class ProgressCounter: Sendable {
    private let done = LockedBox(0)
    let total: Int
    let report: (@Sendable (Int, Int) -> Void)?

    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }

    /// Adds `n` and returns the new count; reports are serialized and in increasing order.
    @discardableResult
    func add(_ n: Int) -> Int {
        done.withLock { done in
            done += n
            // User code, called on a pool's dispatcher thread too: forks need not wait for it.
            if let report { ForkGate.outside { report(done, total) } }
            return done
        }
    }
}
