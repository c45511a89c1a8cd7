/// A pool of worker processes that run ``PoolTask`` values (Python's `multiprocessing.Pool`),
/// and survives its workers' crashes.
///
/// Workers are started once and reused. Submit work with ``applyAsync(_:timeout:)`` (a handle
/// to the result), ``apply(_:timeout:)`` (wait for it), ``map(_:_:chunkSize:progress:)``
/// (results in input order), ``imap(_:_:chunkSize:)`` / ``imapUnordered(_:_:chunkSize:)``,
/// ``starmap(_:_:chunkSize:progress:)``, or from `async` code with ``run(_:timeout:)``,
/// `map` (awaited) and ``results(_:_:chunkSize:ordered:)``. Inputs may be any `Sequence`;
/// `imap` and `imapUnordered` read theirs as the results are taken. ``close()`` stops accepting
/// work and lets queued tasks finish; ``terminate()`` kills the workers and fails what is left;
/// ``join()`` waits for the end after either. ``withPool(processes:initializer:maxTasksPerChild:startMethod:memoryLimit:_:)``
/// scopes a pool and always cleans up, even when its body throws.
///
/// Unlike CPython's pool, a worker that dies (SIGKILL, the OOM killer, a Swift trap, `exit`)
/// fails exactly the task it was running with ``PoolError/workerCrashed(signal:exitCode:task:report:)``;
/// the tasks it had received but not started run elsewhere, a new worker takes its place and
/// the pool goes on. A task given a `timeout` that runs longer is stopped for real (its worker
/// is killed and replaced) and fails with ``PoolError/taskTimedOut(timeout:task:)``.
///
/// Tasks and results are `Codable`; a task's type is found in the worker by its name, so it
/// must be visible beyond its file. An error a task throws fails that task only, as
/// ``PoolError/taskFailed(errorType:description:task:)``. Result callbacks
/// (``AsyncResult/onCompletion(_:)``, `progress`) run on the pool's dispatcher thread: keep
/// them short.
///
/// ```swift
/// enum Square: PoolFunction { static func run(_ x: Int) -> Int { x * x } }
/// let squares = try Pool.withPool(processes: 4) { pool in
///     try pool.map(Square.self, Array(1...10))
/// }
/// ```
// @unchecked: every property is immutable; the dispatcher it refers to guards its own state.
public final class Pool: @unchecked Sendable {
    /// What runs the tasks: local workers, or remote ones (see ``PoolEngine``).
    let dispatcher: PoolEngine
    /// The engine inbox's task type submitted last, held here so that submitting reaches it
    /// without counting a reference to the engine (see ``PoolRecentType``).
    let recentType: PoolRecentType
    /// The number of worker processes.
    public let processCount: Int
    /// How workers are started.
    public let startMethod: StartMethod

    /// Starts `processes` workers (default: the CPUs this process may use).
    ///
    /// - Parameters:
    ///   - initializer: runs once in each worker before its first task (its output is
    ///     ignored). If it throws, that worker fails each of its tasks with the error instead
    ///     of dying over and over as in CPython. It may hold shared objects — a ``Queue`` the
    ///     workers report on, a shared ``Lock`` (Python's `initargs=(queue,)`): they reach
    ///     workers of every start method as handles.
    ///   - maxTasksPerChild: a worker exits after this many tasks and a fresh one replaces it
    ///     (to bound leaks in task code); this is not a failure.
    ///   - startMethod: how workers are started. `.forkserver` (the default, as in Python
    ///     3.14) forks them from a quiet copy of the program started once, so a busy parent
    ///     (Dispatch, Swift concurrency, threads of its own) cannot hand a worker a lock held
    ///     at the instant of fork. `.fork` starts them a little faster and lets an initializer
    ///     see the parent's memory, but in a multi-threaded program a fork child can hang on a
    ///     lock another thread of yours held at that instant (the pool rehearses its code paths
    ///     in the parent before forking and replaces a worker that sits idle with work for
    ///     10 s). `.spawn` starts each worker as a fresh program. Every task and initializer
    ///     reaches the workers by type name, whatever the start method.
    ///   - memoryLimit: bytes each worker's address space may grow by after it starts
    ///     (`RLIMIT_AS`); a task that needs more crashes its worker and fails with
    ///     ``PoolError/workerCrashed(signal:exitCode:task:report:)``.
    /// - Throws: ``ProcessError`` when the first workers cannot be started.
    public init(
        processes: Int = CPU.available, initializer: (any PoolTask)? = nil, maxTasksPerChild: Int? = nil,
        startMethod: StartMethod = .forkserver, memoryLimit: Int? = nil
    ) throws(ProcessError) {
        usageCheck(processes > 0, "Pool(processes:): needs at least one process, got \(processes)")
        usageCheck(maxTasksPerChild.map { $0 > 0 } ?? true, "Pool(maxTasksPerChild:): must be positive, got \(maxTasksPerChild ?? 0)")
        usageCheck(memoryLimit.map { $0 > 0 } ?? true, "Pool(memoryLimit:): must be positive, got \(memoryLimit ?? 0)")
        processCount = processes
        self.startMethod = startMethod
        let encodedInitializer = initializer.map { Self.encodeInitializer($0) }
        let local = PoolDispatcher(
            size: processes, maxTasksPerChild: maxTasksPerChild,
            configuration: PoolWorkerConfiguration(memoryLimit: memoryLimit, initializer: encodedInitializer),
            startMethod: startMethod
        )
        dispatcher = .local(local)
        recentType = local.recentType
        try local.start()
    }

    /// A pool whose `processes` workers are elsewhere, reached through `engine` (the MPI
    /// backend); `startMethod` is how those workers were started.
    package init(remote engine: PoolRemoteEngine, processes: Int, startMethod: StartMethod) {
        usageCheck(processes > 0, "Pool: needs at least one remote worker, got \(processes)")
        processCount = processes
        self.startMethod = startMethod
        dispatcher = .remote(engine)
        recentType = engine.inbox.recentType
    }

    private static func encodeInitializer<Task: PoolTask>(_ task: Task) -> PoolWorkerConfiguration.EncodedInitializer {
        let name: String
        switch EntryType.name(of: Task.self) {
        case .success(let mangled): name = mangled
        case .failure(let problem): usageFailure("Pool(initializer:): \(problem)")
        }
        do {
            let collector = PassedDescriptor.Collector()
            let bytes = try BinaryEncoder(userInfo: [PassedDescriptor.collectorKey: collector]).encode(task)
            return .init(typeName: name, bytes: bytes, descriptors: collector.descriptors.map(PassedDescriptor.init(rawValue:)))
        } catch {
            usageFailure("Pool(initializer:): the initializer cannot be encoded: \(error)")
        }
    }

    deinit {
        if dispatcher.isAccepting { dispatcher.terminate() }
    }

    /// The pids of the live workers (they change when workers are replaced).
    public var workerPIDs: [Int32] { dispatcher.workerPIDs }

    // MARK: Submitting

    /// Submits `task` and returns a handle to its result right away.
    ///
    /// With a `timeout`, a task still running that long after it started is stopped: its
    /// worker is killed and replaced, and the result fails with
    /// ``PoolError/taskTimedOut(timeout:task:)``.
    ///
    /// Inlinable, so that the task is encoded and its type's codecs are made in the caller's
    /// specialised code (see ``PoolTaskCodecs``); the rest is the pool's non-generic code.
    @inlinable @discardableResult
    public func applyAsync<Task: PoolTask>(_ task: Task, timeout: Duration? = nil) -> AsyncResult<Task.Output> {
        let result = AsyncResult<Task.Output>()
        if let submission = submission(task, timeout: timeout, result: result) { submit(submission) }
        return result
    }

    /// Runs `task` on a worker and waits for its value.
    @inlinable
    public func apply<Task: PoolTask>(_ task: Task, timeout: Duration? = nil) throws -> Task.Output {
        let result = AsyncResult<Task.Output>()
        if let submission = submission(task, timeout: timeout, result: result) {
            submitAwaited(submission, isReady: { result.isReady }, wait: { result.wait(timeout: $0) })
        }
        return try result.get()
    }

    /// The submission for `task`, or nil after failing `result` if the task cannot be encoded.
    @inlinable
    func submission<Task: PoolTask>(_ task: Task, timeout: Duration?, result: AsyncResult<Task.Output>) -> PoolSubmission? {
        submission(of: Task.self, timeout: timeout, result: result, codecs: { PoolTaskCodecs(task) }) { payload in
            try PoolTaskCodecs.encode(task, into: &payload)
        }
    }

    /// The submission of a task of `type` for `result` (an `AsyncResult` of its output), or
    /// nil after failing `result` if `encode` (which writes the task, unless its type has a
    /// constant encoding) throws. `codecs` makes the type's codecs on its first use in this pool.
    @usableFromInline
    func submission(
        of type: any PoolTask.Type, timeout: Duration?, result: AnyObject, codecs makeCodecs: () -> PoolTaskCodecs,
        encode: (inout [UInt8]) throws -> Void
    ) -> PoolSubmission? {
        if let timeout { usageCheck(timeout > .zero, "Pool: a task timeout must be positive, got \(timeout)") }
        // The type submitted last is known without the inbox's lock (its task is numbered as
        // it is queued); any other takes a ticket.
        let known = recentType.find(type)
        let ticket = known == nil ? dispatcher.ticket(for: type, numbers: 1, codecs: makeCodecs) : nil
        // Invariant: a ticket asked for with codecs carries them.
        let codecs = known?.codecs ?? ticket!.codecs!
        let typeID = known?.typeID ?? ticket!.typeID, typeName = known?.typeName ?? ticket!.typeName
        var payload: [UInt8] = []
        // A type's one encoding travels from its codecs (see ResultSubmission.withPayload).
        if !codecs.hasConstantPayload {
            do {
                try encode(&payload)
            } catch {
                let number = ticket?.firstNumber ?? dispatcher.ticket(for: type, numbers: 1).firstNumber
                codecs.with { $0.fail(result, PoolError.taskFailed(
                    errorType: String(reflecting: Swift.type(of: error)), description: "the task cannot be encoded: \(error)",
                    task: "task #\(number) (\(typeName))"
                )) }
                return nil
            }
        }
        if ticket?.isNew == true { codecs.with { $0.rehearseDecoding($0.constantPayload ?? payload) } }
        return ResultSubmission(result: result, codecs: codecs, typeID: typeID, typeName: typeName, number: ticket?.firstNumber ?? 0,
                                payload: payload, timeout: timeout)
    }

    /// Queues `submission`; fails it with ``PoolError/closed`` once the pool was closed.
    @usableFromInline
    func submit(_ submission: PoolSubmission) {
        dispatcher.submit(CollectionOfOne(submission))
    }

    /// ``submit(_:)`` for a task whose result the caller awaits next (`isReady`, `wait`: its
    /// result's): a remote engine's transport may use the thread meanwhile (see
    /// ``PoolRemoteEngine/submit(_:awaiting:wait:)``).
    @usableFromInline
    func submitAwaited(_ submission: PoolSubmission, isReady: () -> Bool, wait: (Duration) -> Bool) {
        switch dispatcher {
        case .local(let local): local.submit(CollectionOfOne(submission))
        case .remote(let engine): engine.submit(submission, awaiting: isReady, wait: wait)
        }
    }

    // MARK: Lifecycle

    /// Stops accepting tasks; queued tasks still run, then the workers exit.
    public func close() { dispatcher.close() }

    /// Stops accepting tasks, kills the workers, and fails every unfinished task with
    /// ``PoolError/terminated``.
    public func terminate() { dispatcher.terminate() }

    /// Waits until every worker has ended. Call ``close()`` or ``terminate()`` first: joining
    /// a pool that still accepts work is a programmer error (Python raises `ValueError`).
    public func join() {
        usageCheck(!dispatcher.isAccepting, "Pool.join(): call close() or terminate() first")
        dispatcher.finished.wait()
    }

    /// Waits at most `timeout` for every worker to end; returns whether they did.
    @discardableResult
    public func join(timeout: Duration) -> Bool {
        usageCheck(!dispatcher.isAccepting, "Pool.join(timeout:): call close() or terminate() first")
        return dispatcher.finished.wait(until: .timeout(timeout, of: "Pool.join(timeout:)"))
    }

    /// Runs `body` with a new pool, then terminates and joins it however `body` ends
    /// (Python's `with Pool() as pool:`): no worker outlives the call. The parameters are
    /// those of ``init(processes:initializer:maxTasksPerChild:startMethod:memoryLimit:)``.
    public static func withPool<Result>(
        processes: Int = CPU.available, initializer: (any PoolTask)? = nil, maxTasksPerChild: Int? = nil,
        startMethod: StartMethod = .forkserver, memoryLimit: Int? = nil, _ body: (Pool) throws -> Result
    ) throws -> Result {
        let pool = try Pool(processes: processes, initializer: initializer, maxTasksPerChild: maxTasksPerChild,
                            startMethod: startMethod, memoryLimit: memoryLimit)
        defer {
            pool.terminate()
            pool.join()
        }
        return try body(pool)
    }

    /// The `async` form of ``withPool(processes:initializer:maxTasksPerChild:startMethod:memoryLimit:_:)``.
    /// Joining happens off the Swift concurrency threads.
    public static func withPool<Result: Sendable>(
        processes: Int = CPU.available, initializer: (any PoolTask)? = nil, maxTasksPerChild: Int? = nil,
        startMethod: StartMethod = .forkserver, memoryLimit: Int? = nil, _ body: (Pool) async throws -> Result
    ) async throws -> Result {
        let pool = try Pool(processes: processes, initializer: initializer, maxTasksPerChild: maxTasksPerChild,
                            startMethod: startMethod, memoryLimit: memoryLimit)
        let outcome: Swift.Result<Result, any Error>
        do {
            outcome = .success(try await body(pool))
        } catch {
            outcome = .failure(error)
        }
        pool.terminate()
        await pool.joined()
        return try outcome.get()
    }

    /// Suspends until every worker has ended, without blocking a Swift concurrency thread.
    public func joined() async {
        usageCheck(!dispatcher.isAccepting, "Pool.joined(): call close() or terminate() first")
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            dispatcher.whenFinished { continuation.resume() }
        }
    }
}
