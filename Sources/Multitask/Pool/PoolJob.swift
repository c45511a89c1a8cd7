import Synchronization

/// One task queued on a ``ThreadPool``: runs once, or is cancelled once, never both.
///
/// The job is the task's own state (an `applyAsync` result, a chunk of a `map`), so queueing
/// it allocates nothing beyond that object.
@usableFromInline
protocol PoolJob: AnyObject, Sendable {
    /// Runs the task unless it was cancelled first.
    func run()

    /// Fails the task with `reason` unless it already started.
    func cancel(_ reason: PoolError)
}

/// Whether a job started or was cancelled, decided once (for jobs with no ``AsyncResult`` of
/// their own to keep it in).
struct PoolJobClaim: ~Copyable {
    private static var pending: UInt8 { 0 }
    private static var started: UInt8 { 1 }
    private static var cancelled: UInt8 { 2 }
    private let state = Atomic<UInt8>(0)

    init() {}

    /// Claims the start; false if the job was cancelled (or started) first.
    func start() -> Bool { claim(Self.started) }

    /// Claims the cancellation; false if the job started (or was cancelled) first.
    func cancel() -> Bool { claim(Self.cancelled) }

    private func claim(_ outcome: UInt8) -> Bool {
        state.compareExchange(expected: Self.pending, desired: outcome, ordering: .acquiringAndReleasing).exchanged
    }
}
