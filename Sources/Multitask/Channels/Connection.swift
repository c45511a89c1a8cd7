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
    private let reader = FrameReader()
    private let receiveLock = InternalLock()
    private let sendLock = InternalLock()

    /// Nanoseconds a receiver retries before sleeping in the kernel (see `FrameReader`).
    /// 10 µs measured best here: 2 µs often misses the reply (round trip 11–25 µs), 20 µs
    /// gains nothing.
    static let spinBudget: Int64 = 10_000
    /// Frames up to this size are sent with one system call from a stack buffer.
    private static let smallFrame = 4096

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

    // MARK: Sending

    /// Sends `value` as one message: a ``BitwiseCodable`` value as its raw bytes, `[UInt8]`
    /// and `String` as their contents, anything else in the binary `Codable` format.
    ///
    /// Throws ``ConnectionError/closed`` if the other end is closed and
    /// ``ConnectionError/unencodable(_:)`` if encoding fails (nothing is sent then).
    public func send<T: Encodable>(_ value: T) throws(ConnectionError) {
        let socket = writableSocket()
        try ConnectionCoding.withMessage(of: value) { (bytes) throws(ConnectionError) in
            try sendFrame(bytes, on: socket)
        }
    }

    /// Sends `size` bytes of `bytes` from `offset` on (all of them by default) as one message,
    /// received whole by ``receiveBytes(maxLength:)`` (Python's `send_bytes(buffer, offset,
    /// size)`).
    ///
    /// An `offset` or `size` outside `bytes` is a programmer error (Python raises
    /// `ValueError`).
    ///
    /// ```swift
    /// let frame: [UInt8] = [0xFF, 1, 2, 3, 0xFF]
    /// try connection.sendBytes(frame, offset: 1, size: 3)   // the peer receives [1, 2, 3]
    /// ```
    public func sendBytes(_ bytes: some Collection<UInt8>, offset: Int = 0, size: Int? = nil) throws(ConnectionError) {
        let count = bytes.count
        usageCheck(offset >= 0 && offset <= count, "Connection.sendBytes: offset \(offset) is outside the \(count) bytes given")
        let size = size ?? count - offset
        usageCheck(size >= 0 && size <= count - offset, "Connection.sendBytes: size \(size) from offset \(offset) runs past the \(count) bytes given")
        let socket = writableSocket()
        var failure: ConnectionError?
        let sent: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(ConnectionError) {
                try sendFrame(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[offset..<offset + size])), on: socket)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if sent == nil {
            try Array(bytes.dropFirst(offset).prefix(size)).withContiguousBytes { (raw) throws(ConnectionError) in try sendFrame(raw, on: socket) }
        }
    }

    /// Sends `payload` as one frame; with `descriptor`, the descriptor travels attached to it.
    func sendFrame(_ payload: UnsafeRawBufferPointer, on socket: StreamSocket, attaching descriptor: CInt? = nil) throws(ConnectionError) {
        // The connection's length field is 8 bytes: it fills `header` exactly.
        var header: UInt64 = 0
        withUnsafeMutableBytes(of: &header) { FrameReader.framing.writeLength(payload.count, to: $0.baseAddress!) }
        let frameSize = FrameReader.headerSize + payload.count
        do {
            try sendLock.withLock { () throws(Errno) in
                if frameSize <= Self.smallFrame {
                    try withUnsafeTemporaryAllocation(byteCount: frameSize, alignment: 8) { (frame) throws(Errno) in
                        frame.storeBytes(of: header, as: UInt64.self)
                        if !payload.isEmpty {
                            (frame.baseAddress! + FrameReader.headerSize).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
                        }
                        if let descriptor {
                            try socket.sendAll(UnsafeRawBufferPointer(frame), attaching: descriptor)
                        } else {
                            try socket.sendAll(UnsafeRawBufferPointer(frame))
                        }
                    }
                } else {
                    usageCheck(descriptor == nil, "Connection: a descriptor travels with a small frame")
                    try withUnsafeBytes(of: header) { (raw) throws(Errno) in try socket.sendAll(raw) }
                    try socket.sendAll(payload)
                }
            }
        } catch {
            throw ConnectionError(error)
        }
    }

    // MARK: Receiving

    /// Receives the next message as a `T`, waiting for it (Python's `recv`).
    ///
    /// Throws ``ConnectionError/closed`` when the other end is closed and no message is left
    /// (also when it closed in the middle of a message, which is then lost);
    /// ``ConnectionError/undecodable(_:)`` when the message is not a `T` — a raw
    /// (``BitwiseCodable``) type of another size, a `Bool` or an enum whose bytes name no
    /// value — (the message is consumed, the next one is intact); and
    /// ``ConnectionError/messageTooLarge(length:limit:)`` for a message longer than
    /// ``maxMessageSize``.
    public func receive<T: Decodable>(_ type: T.Type = T.self) throws(ConnectionError) -> T {
        try receiveMessage { length in
            // Checked before the payload is read, so a raw receive never buffers a large frame.
            ConnectionCoding.isRaw(T.self) && length != MemoryLayout<T>.size ? .discard(ConnectionCoding.wrongSize(length, for: T.self)) : .accept
        } read: { (bytes) throws(ConnectionError) in
            try ConnectionCoding.decode(T.self, from: bytes)
        }
    }

    /// Receives the next message as bytes, waiting for it (Python's `recv_bytes`).
    ///
    /// A message longer than `maxLength` (but within ``maxMessageSize``) is discarded without
    /// being buffered and throws ``ConnectionError/messageTooLong(length:maxLength:)``; the
    /// connection stays usable. One longer than ``maxMessageSize`` throws
    /// ``ConnectionError/messageTooLarge(length:limit:)``, and the end cannot receive again.
    public func receiveBytes(maxLength: Int = .max) throws(ConnectionError) -> [UInt8] {
        usageCheck(maxLength >= 0, "Connection.receiveBytes: maxLength must not be negative, got \(maxLength)")
        return try receiveMessage { length in
            length <= maxLength ? .accept : .discard(.messageTooLong(length: length, maxLength: maxLength))
        } read: { [UInt8]($0) }
    }

    /// Receives the next message into `buffer` from `offset` on, waiting for it, and returns
    /// its length (Python's `recv_bytes_into`). The bytes of `buffer` after the message are
    /// left as they were.
    ///
    /// A message longer than the space after `offset` throws
    /// ``ConnectionError/bufferTooShort(length:space:)`` and stays first in line, unread:
    /// receive it again with a larger buffer (the error gives its length) or with
    /// ``receiveBytes(maxLength:)``. An `offset` outside `buffer` is a programmer error.
    /// Other errors as for ``receiveBytes(maxLength:)``.
    ///
    /// ```swift
    /// var buffer = [UInt8](repeating: 0, count: 1024)
    /// let count = try connection.receiveBytes(into: &buffer, offset: 8)
    /// let message = buffer[8..<8 + count]
    /// ```
    public func receiveBytes(into buffer: UnsafeMutableRawBufferPointer, offset: Int = 0) throws(ConnectionError) -> Int {
        usageCheck(offset >= 0 && offset <= buffer.count, "Connection.receiveBytes(into:offset:): offset \(offset) is outside the buffer of \(buffer.count) bytes")
        let space = buffer.count - offset
        return try receiveMessage { length in
            length <= space ? .accept : .keep(.bufferTooShort(length: length, space: space))
        } read: { bytes in
            if !bytes.isEmpty { (buffer.baseAddress! + offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            return bytes.count
        }
    }

    /// Receives the next message into `buffer` from `offset` on and returns its length: the
    /// array form of `receiveBytes(into:offset:)` on a raw buffer (same rules). The array
    /// keeps its size.
    public func receiveBytes(into buffer: inout [UInt8], offset: Int = 0) throws(ConnectionError) -> Int {
        // `withUnsafeMutableBytes` rethrows untyped errors: carry the typed one out in a Result.
        let outcome = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(ConnectionError) in try receiveBytes(into: raw, offset: offset) }
        }
        return try outcome.get()
    }

    /// What a receive does with the next message, told its length before its payload is read.
    enum Admission {
        /// Read it.
        case accept
        /// Consume it unread and throw.
        case discard(ConnectionError)
        /// Leave it first in line, unread, and throw.
        case keep(ConnectionError)
    }

    /// Waits for the next message and, once `admit` accepted its length, passes its payload
    /// (valid only during the call) to `read`, with the receive lock held. The message is
    /// consumed, also when `read` throws.
    func receiveMessage<Result>(
        _ admit: (Int) -> Admission, read: (UnsafeRawBufferPointer) throws(ConnectionError) -> Result
    ) throws(ConnectionError) -> Result {
        let socket = readableSocket()
        return try receiveLock.withLock { () throws(ConnectionError) in
            let limit = maxMessageSize
            let length = try reader.nextLength(from: socket, limit: limit, spinBudget: Self.spinBudget)
            switch admit(length) {
            case .accept:
                break
            case .discard(let error):
                try reader.skipPayload(from: socket)
                throw error
            case .keep(let error):
                throw error
            }
            return try reader.withPayload(from: socket, limit: limit, spinBudget: Self.spinBudget, read)
        }
    }

    /// The oldest descriptor that arrived on this end for which `wanted` holds, closing the
    /// ones before it (see `FrameReader`); call it from `read` of ``receiveMessage(_:read:)``
    /// (under the receive lock).
    func takeReceivedDescriptor(where wanted: (CInt) -> Bool) -> CInt? { reader.takeDescriptor(where: wanted) }

    /// Whether ``receive(_:)`` would return without waiting for the sender: a whole message
    /// is here, the other end is closed, or receiving would throw; waits up to `timeout` for
    /// that (nil: forever).
    ///
    /// Polling reads what the socket holds into this end's buffer, without blocking, so a
    /// message that has only partly arrived is not reported: a peer that stops in the middle of
    /// a message cannot make a receive after a successful poll hang. A message longer than
    /// the socket buffer arrives only while someone reads it, so poll repeatedly (or receive)
    /// for it to complete.
    public func poll(timeout: Duration? = .zero) -> Bool {
        let socket = readableSocket()
        let deadline = timeout.map { Deadline.timeout($0, of: "Connection.poll(timeout:)") }
        while true {
            if hasWholeMessage(socket) { return true }
            // After a pump the socket holds nothing: it turns readable when more arrives.
            guard Poll.readable([socket.fd], until: deadline)[0] else { return false }
        }
    }

    /// Takes what the socket holds without blocking; whether a receive would return at once.
    func hasWholeMessage(_ socket: StreamSocket) -> Bool {
        receiveLock.withLock { reader.pump(from: socket, limit: maxMessageSize) }
    }

    /// Whether bytes already read from the socket wait in this process (a handle refuses them).
    var hasReadAhead: Bool { receiveLock.withLock { reader.hasReadAhead } }

    // MARK: State checks

    func socket(for operation: String) -> StreamSocket {
        let fd = descriptor.load(ordering: .acquiring)
        usageCheck(fd >= 0, "Connection.\(operation) used after close()")
        return StreamSocket(fd: fd)
    }

    private func readableSocket() -> StreamSocket {
        usageCheck(isReadable, "Connection: receiving on the send-only end of a one-way Pipe")
        return socket(for: "receive")
    }

    func writableSocket() -> StreamSocket {
        usageCheck(isWritable, "Connection: sending on the receive-only end of a one-way Pipe")
        return socket(for: "send")
    }
}
