import Multitask

/// One message between the front end (the rank that runs `main`) and a worker node, in the
/// compact layout of `MPIMessageWire.swift`. Every message of a batch travels in one MPI message.
///
/// Node → front end: ``Kind/hello`` (with its worker count), ``Kind/replies``, ``Kind/alive``
/// (at least every ``MPIMessage/heartbeat`` when it has nothing else to say), ``Kind/bye``.
/// Front end → node: ``Kind/tasks``, ``Kind/stop`` (finish what was sent, then end),
/// ``Kind/terminate`` (drop everything, kill the workers, end).
struct MPIMessage: Sendable {
    /// What the message says.
    enum Kind: UInt8, Sendable { case hello, tasks, stop, terminate, replies, bye, alive }

    /// How often a node speaks at least.
    static let heartbeat = Duration.seconds(1)
    /// A node silent this long is lost.
    static let silenceLimit = Duration.seconds(5)

    var kind: Kind
    /// ``Kind/hello``: the node's local worker processes.
    var workers: Int = 0
    /// ``Kind/tasks``: the tasks, in the order the node should submit them.
    var tasks: [MPITaskFrame] = []
    /// ``Kind/replies``: outcomes, in any order.
    var replies: [MPIReplyFrame] = []
}

/// A task as it travels to a node: its front-end number, its type (named the first time a
/// node gets the type, by number after that), its time limit and its encoded value.
struct MPITaskFrame: Sendable {
    var id: UInt64
    var typeID: UInt32
    /// The type's mangled name, sent with the first task of the type to each node.
    var typeName: String?
    /// The timeout in nanoseconds; nil: none.
    var timeoutNanoseconds: Int64?
    var payload: [UInt8]

    /// The timeout as a `Duration`, nil for none or a value that is not positive.
    var timeout: Duration? {
        timeoutNanoseconds.flatMap { $0 > 0 ? .nanoseconds($0) : nil }
    }
}

/// A task's outcome as it travels back: the encoded output, or the failure.
struct MPIReplyFrame: Sendable {
    var id: UInt64
    var output: [UInt8]?
    var failure: MPIFailure?
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
