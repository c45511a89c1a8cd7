import Synchronization
import SystemPackage

/// One end of a ``Pipe(duplex:)``: sends and receives whole messages, Python's
/// `multiprocessing.connection.Connection`.
///
/// A message is a `Codable` value (``send(_:)`` / ``receive(_:)``), a run of bytes
/// (``sendBytes(_:offset:size:)`` / ``receiveBytes(maxLength:)``, or into a buffer of yours
/// with `receiveBytes(into:offset:)`) or an open file descriptor (``sendDescriptor(_:)`` /
/// ``receiveDescriptor()``); each arrives whole, in order, once.
/// The receiver must ask for the type the sender sent (messages carry no type tag); a
/// mismatch throws ``ConnectionError/undecodable(_:)`` where the bytes cannot be that type.
///
/// - `receive` blocks until a message arrives and throws ``ConnectionError/closed`` once the
///   other end is closed and every message sent before has been received.
/// - `send` throws ``ConnectionError/closed`` when the other end is closed; the process never
///   gets `SIGPIPE`. It blocks while the kernel buffer (~200 KiB) is full.
/// - Using a connection after ``close()``, sending on a receive-only end or receiving on a
///   send-only end is a programmer error and traps.
/// - A fork child inherits the connection: capture it in the `Process { }` closure. Close the
///   end a process does not use, or the other side never sees end of stream.
/// - Threads may share a connection: concurrent senders are serialized per message, and so are
///   concurrent receivers.
/// - A connection is `Codable` as a handle, so it can be part of a ``ProcessEntry`` value and
///   reach `.spawn` and `.forkserver` children too (see ``init(from:)``).
/// - A receiver reads ahead into a buffer of its own (``poll(timeout:)`` and
///   ``wait(_:timeout:)`` too); a fork child started while bytes wait in it gets a copy of
///   them, so fork before receiving on a connection both processes will read.
/// - What arrives is untrusted: a message longer than ``maxMessageSize`` (64 MiB by default)
///   is refused before anything is allocated for it, memory grows only with the bytes that
///   actually arrive, and a raw value (``BitwiseCodable``) must arrive with exactly its size.
///   See ``ConnectionError/messageTooLarge(length:limit:)`` for the state that leaves.
///
/// ```swift
/// let (parent, child) = try Pipe(duplex: true)
/// let p = Process { try child.send(try child.receive(Int.self) * 2) }
/// try p.start()
/// try parent.send(21)
/// print(try parent.receive(Int.self))   // 42
/// ```
// @unchecked: the descriptor and size limit are atomics; `reader` is used only under `receiveLock`, sends are serialised by `sendLock`.
public final class Connection: @unchecked Sendable {
    /// Whether this end can receive.
    public let isReadable: Bool
    /// Whether this end can send.
    public let isWritable: Bool

    /// The default of ``maxMessageSize``: 64 MiB.
    public static let defaultMaxMessageSize = 64 << 20

    /// The socket's descriptor; -1 once closed.
    private let descriptor: Atomic<CInt>
    private let messageSizeLimit: Atomic<Int>
    let reader = ConnectionReader()
    let receiveLock = InternalLock()
    let sendLock = InternalLock()

    /// Nanoseconds a receiver retries before sleeping in the kernel (see `ConnectionReader`).
    /// 10 µs measured best here: 2 µs often misses the reply (round trip 11–25 µs), 20 µs
    /// gains nothing.
    static let spinBudget: Int64 = 10_000
    /// Frames up to this size are sent with one system call from a stack buffer.
    static let smallFrame = 4096

    init(socket: StreamSocket, readable: Bool, writable: Bool, maxMessageSize: Int) {
        Self.checkLimit(maxMessageSize)
        descriptor = Atomic(socket.fd)
        messageSizeLimit = Atomic(maxMessageSize)
        isReadable = readable
        isWritable = writable
    }

    deinit {
        let fd = descriptor.load(ordering: .relaxed)
        if fd >= 0 { StreamSocket(fd: fd).close() }
    }

    /// The longest message, in bytes, this end accepts (default ``defaultMaxMessageSize``,
    /// 64 MiB); it applies to the messages received after it is set.
    ///
    /// A message whose header announces more throws
    /// ``ConnectionError/messageTooLarge(length:limit:)`` before any of it is read or
    /// allocated, and leaves this end unable to receive (see that error). The limit is the
    /// receiver's: senders are not told, and a handle carries it to the process that decodes
    /// it. Raise it for legitimately larger messages; memory still grows only with the bytes
    /// that arrive. A negative limit is a programmer error.
    public var maxMessageSize: Int {
        get { messageSizeLimit.load(ordering: .relaxed) }
        set {
            Self.checkLimit(newValue)
            messageSizeLimit.store(newValue, ordering: .relaxed)
        }
    }

    private static func checkLimit(_ limit: Int) {
        usageCheck(limit >= 0, "Connection.maxMessageSize must not be negative, got \(limit)")
    }

    /// Whether ``close()`` was called on this end (not whether the other end is closed: that
    /// shows as ``ConnectionError/closed``).
    public var isClosed: Bool { descriptor.load(ordering: .acquiring) < 0 }

    /// The socket's descriptor for a handle (see `ConnectionHandle.swift`); -1 once closed.
    var descriptorForHandle: CInt { descriptor.load(ordering: .acquiring) }

    /// The socket's file descriptor, for a `poll`/`epoll` loop of your own (Python's `fileno()`).
    /// Readable means a message, part of one, or end of stream is waiting; and messages this
    /// end already read ahead are not seen by the kernel. Ask ``poll(timeout:)`` before
    /// receiving: it answers for whole messages.
    public var fileDescriptor: FileDescriptor { FileDescriptor(rawValue: socket(for: "fileDescriptor").fd) }

    /// Closes this end. The other end then receives ``ConnectionError/closed`` after the
    /// messages already sent. Closing twice is harmless. Do not close while another thread is
    /// blocked in ``receive(_:)`` on this end: it would stay blocked.
    public func close() {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { StreamSocket(fd: fd).close() }
    }

    // MARK: State checks

    func socket(for operation: String) -> StreamSocket {
        let fd = descriptor.load(ordering: .acquiring)
        usageCheck(fd >= 0, "Connection.\(operation) used after close()")
        return StreamSocket(fd: fd)
    }

    func readableSocket() -> StreamSocket {
        usageCheck(isReadable, "Connection: receiving on the send-only end of a one-way Pipe")
        return socket(for: "receive")
    }

    func writableSocket() -> StreamSocket {
        usageCheck(isWritable, "Connection: sending on the receive-only end of a one-way Pipe")
        return socket(for: "send")
    }
}
