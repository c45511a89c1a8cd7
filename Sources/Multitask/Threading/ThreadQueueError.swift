/// Why a thread-queue operation did not put or get an element.
///
/// These are Python's `queue.Empty`, `queue.Full` and `queue.ShutDown` exceptions as one
/// typed error.
public enum ThreadQueueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `get(timeout:)` found no element before the timeout (Python's `queue.Empty`).
    case empty
    /// `put(_:timeout:)` found no free slot before the timeout (Python's `queue.Full`).
    case full
    /// The queue was shut down: every `put` throws this, and `get` throws it once the queue
    /// is empty (at once after an immediate shutdown). Python's `queue.ShutDown`.
    case shutDown

    public var description: String {
        switch self {
        case .empty: "the queue is empty"
        case .full: "the queue is full"
        case .shutDown: "the queue is shut down"
        }
    }
}
