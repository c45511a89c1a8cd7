import Synchronization

/// One submitted task: runs once, or is cancelled once, never both.
final class PoolJob: Sendable {
    private static let pending: UInt8 = 0, started: UInt8 = 1, cancelled: UInt8 = 2
    private let state = Atomic<UInt8>(PoolJob.pending)
    private let body: @Sendable () -> Void
    private let onCancel: @Sendable (PoolError) -> Void

    /// `body` computes and completes the task's result; `onCancel` fails it.
    init(body: @escaping @Sendable () -> Void, onCancel: @escaping @Sendable (PoolError) -> Void) {
        self.body = body
        self.onCancel = onCancel
    }

    /// Runs the task unless it was cancelled first.
    func run() {
        guard state.compareExchange(expected: Self.pending, desired: Self.started, ordering: .acquiringAndReleasing).exchanged else { return }
        body()
    }

    /// Fails the task with `reason` unless it already started; returns whether it did.
    @discardableResult
    func cancel(_ reason: PoolError) -> Bool {
        guard state.compareExchange(expected: Self.pending, desired: Self.cancelled, ordering: .acquiringAndReleasing).exchanged else { return false }
        onCancel(reason)
        return true
    }
}
