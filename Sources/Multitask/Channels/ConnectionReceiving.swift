import SystemPackage

/// Receiving on a ``Connection``: values, raw bytes, and asking whether a whole message waits.
extension Connection {
    /// Receives the next message as a `T`, waiting for it (Python's `recv`).
    ///
    /// Throws ``ConnectionError/closed`` when the other end is closed and no message is left
    /// (also when it closed in the middle of a message, which is then lost);
    /// ``ConnectionError/undecodable(_:)`` when the message is not a `T` — a raw
    /// (``BitwiseCodable``) type of another size, a `Bool` or an enum whose bytes name no
    /// value — (the message is consumed, the next one is intact); and
    /// ``ConnectionError/messageTooLarge(length:limit:)`` for a message longer than
    /// ``maxMessageSize``.
    ///
    /// Inlinable, so that a ``BitwiseCodable`` value is received by the caller's specialized
    /// code, its bytes copied straight into the result: no generic call and no type test per
    /// message (see `ConnectionCoding`).
    @inlinable
    public func receive<T: Decodable>(_ type: T.Type = T.self) throws(ConnectionError) -> T {
        guard RawBytesRule.applies(to: T.self) else { return try receiveEncoded(T.self) }
        return try withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { (slot) throws(ConnectionError) -> T in
            let target = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(slot.baseAddress!), count: MemoryLayout<T>.size)
            try receiveRaw(into: target, as: T.self)
            // Invariant (RawBytesRule): every bit pattern of this size is a valid T.
            return slot.baseAddress!.move()
        }
    }

    /// Receives the next message, which must be exactly `target.count` bytes (the raw bytes
    /// of a `type`), into `target`. A message of another length is consumed unread and throws
    /// ``ConnectionError/undecodable(_:)``.
    @usableFromInline
    func receiveRaw(into target: UnsafeMutableRawBufferPointer, as type: Any.Type) throws(ConnectionError) {
        try receiveMessage { length in
            // Checked before the payload is read, so a raw receive never buffers a large frame.
            length == target.count ? .accept : .discard(ConnectionCoding.wrongSize(length, for: type, size: target.count))
        } read: { bytes in
            if !bytes.isEmpty { target.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        }
    }

    /// Receives the next message as a `T` that does not travel as its raw bytes.
    @usableFromInline
    func receiveEncoded<T: Decodable>(_ type: T.Type) throws(ConnectionError) -> T {
        try receiveMessage { _ in .accept } read: { (bytes) throws(ConnectionError) in
            try ConnectionCoding.decodeEncoded(T.self, from: bytes)
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
    /// ones before it (see `ConnectionReader`); call it from `read` of ``receiveMessage(_:read:)``
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
}
