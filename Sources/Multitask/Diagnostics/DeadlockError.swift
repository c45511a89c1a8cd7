/// Thrown by ``Lock/acquireDetectingDeadlock(timeout:file:line:)`` when the calling thread is
/// part of a deadlock: it waits for a lock whose holder waits, directly or through other
/// threads, for a lock this thread holds.
///
/// The thread did not acquire the lock. Release what it holds so the other threads can go on.
public struct DeadlockError: Error, Sendable, CustomStringConvertible {
    /// The cycle this thread was taken out of.
    public let report: DeadlockReport

    public var description: String { report.description }
}
