import SystemPackage

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
    /// The queue was shut down (``Queue/shutdown(immediate:)``, Python 3.13's
    /// `queue.ShutDown`): every put throws this; gets throw it once the queue is empty, at
    /// once after an immediate shutdown.
    case shutDown
    /// The element could not be encoded; nothing was put.
    case unencodable(String)
    /// A message could not be decoded into the element type; it was removed from the queue.
    case undecodable(String)
    /// The queue's shared memory holds a value no queue writes (a position, block, link or
    /// length out of range); the string says which.
    ///
    /// Every process holding the queue's memory can write to it, so its contents are
    /// untrusted: the operation stopped before touching anything outside the queue's memory
    /// and nothing was put or got. The queue stays corrupted, so later operations may throw
    /// this again; the process itself is unharmed.
    case corrupted(String)
    /// The queue's shared memory could not be created: the system refused the address space
    /// (every queue reserves 4 GiB of it; `ulimit -v` or a pool worker's memory limit can be
    /// lower), the memory or a file descriptor. The `Errno` says which.
    case resourcesExhausted(Errno)

    public var description: String {
        switch self {
        case .empty: "the queue is empty"
        case .full: "the queue is full"
        case .closed: "the queue is closed"
        case .shutDown: "the queue is shut down"
        case .unencodable(let why): "the element cannot be encoded: \(why)"
        case .undecodable(let why): "a message cannot be decoded: \(why)"
        case .corrupted(let what): "the queue's shared memory is corrupted: \(what)"
        case .resourcesExhausted(let errno): "the queue's shared memory cannot be created: \(errno)"
        }
    }
}
