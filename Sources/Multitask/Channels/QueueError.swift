/// Why a ``Queue``, ``SimpleQueue`` or ``JoinableQueue`` operation did not put or get an element.
///
/// `.empty` and `.full` are Python's `queue.Empty` and `queue.Full`.
public enum QueueError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A get found no element before its timeout, or at once for `tryGet`-style calls.
    case empty
    /// A put found no room before its timeout (bounded queues), or the queue's shared storage
    /// (4 GiB of queued bytes) is exhausted.
    case full
    /// The queue was closed: every put throws this; gets throw it once the queue is empty.
    case closed
    /// The element could not be encoded; nothing was put.
    case unencodable(String)
    /// A message could not be decoded into the element type; it was removed from the queue.
    case undecodable(String)

    public var description: String {
        switch self {
        case .empty: "the queue is empty"
        case .full: "the queue is full"
        case .closed: "the queue is closed"
        case .unencodable(let why): "the element cannot be encoded: \(why)"
        case .undecodable(let why): "a message cannot be decoded: \(why)"
        }
    }
}
