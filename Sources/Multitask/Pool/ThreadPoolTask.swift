/// A ``ThreadPool`` task: its result object is also its queued job, so `applyAsync` allocates
/// this object and nothing else (besides the context of the caller's closure).
final class ThreadPoolTask<Value: Sendable>: AsyncResult<Value>, PoolJob, @unchecked Sendable {
    /// The task; dropped once it ran or was cancelled, so what it captured is released
    /// although the result lives on. Touched only by the thread that claimed the start or
    /// the cancellation.
    private var work: (@Sendable () throws -> Value)?

    init(_ work: @escaping @Sendable () throws -> Value) {
        self.work = work
        super.init()
    }

    func run() {
        guard claimStart(), let work else { return }
        self.work = nil
        complete(Result { try work() })
    }

    func cancel(_ reason: PoolError) {
        if failUnlessStarted(reason) { work = nil }
    }
}
