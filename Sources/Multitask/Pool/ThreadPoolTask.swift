/// A ``ThreadPool`` task: its result object is also its queued job, so `applyAsync` allocates
/// this object and nothing else (besides the context of the caller's closure).
@usableFromInline
// @unchecked: inherits AsyncResult's reason; its own state is one immutable closure and a one-shot claim.
final class ThreadPoolTask<Value: Sendable>: AsyncResult<Value>, PoolJob, @unchecked Sendable {
    /// The task. Kept (with what it captured) as long as the result: dropping it would
    /// write an optional function, whose generic type the unspecialized worker looks up.
    private let work: @Sendable () throws -> Value

    @usableFromInline
    init(_ work: @escaping @Sendable () throws -> Value) {
        self.work = work
        super.init()
    }

    @usableFromInline
    func run() {
        guard claimStart() else { return }
        do {
            succeed(try work())
        } catch {
            fail(error, unlessStarted: false)
        }
    }

    @usableFromInline
    func cancel(_ reason: PoolError) {
        failUnlessStarted(reason)
    }
}
