/// Why a pool task produced no value.
///
/// Errors thrown by the task itself are passed through unchanged; these cases describe what
/// the pool did to the task.
public enum PoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `get(timeout:)` gave up waiting; the task may still finish later.
    case timedOut
    /// The task was submitted after `close()` or `terminate()`.
    case closed
    /// `terminate()` discarded the task before it ran.
    case terminated
    /// The awaiting Swift task was cancelled before the pool task started.
    case cancelled

    /// A sentence saying what happened.
    public var description: String {
        switch self {
        case .timedOut: "timed out waiting for the task's result"
        case .closed: "the pool is closed: it accepts no new tasks"
        case .terminated: "the pool was terminated before the task ran"
        case .cancelled: "the awaiting task was cancelled before the pool task started"
        }
    }
}
