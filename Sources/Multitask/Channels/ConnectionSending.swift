import SystemPackage

/// Sending on a ``Connection``: values, raw bytes, and the frames that carry them.
extension Connection {
    /// Sends `value` as one message: a ``BitwiseCodable`` value as its raw bytes, `[UInt8]`
    /// and `String` as their contents, anything else in the binary `Codable` format.
    ///
    /// Throws ``ConnectionError/closed`` if the other end is closed and
    /// ``ConnectionError/unencodable(_:)`` if encoding fails (nothing is sent then).
    ///
    /// Inlinable, so that a ``BitwiseCodable`` value is sent from the caller's specialized
    /// code: no generic call and no type test per message (see `ConnectionCoding`).
    @inlinable
    public func send<T: Encodable>(_ value: T) throws(ConnectionError) {
        if RawBytesRule.applies(to: T.self) {
            return try withUnsafeBytes(of: value) { (bytes) throws(ConnectionError) in try sendMessage(bytes) }
        }
        try sendEncoded(value)
    }

    /// Sends `value`, which does not travel as its raw bytes, as one message.
    @usableFromInline
    func sendEncoded<T: Encodable>(_ value: T) throws(ConnectionError) {
        let socket = writableSocket()
        try ConnectionCoding.withEncodedMessage(of: value) { (bytes) throws(ConnectionError) in
            try sendFrame(bytes, on: socket)
        }
    }

    /// Sends `payload` as one message (the raw bytes of a value, see ``send(_:)``).
    @usableFromInline
    func sendMessage(_ payload: UnsafeRawBufferPointer) throws(ConnectionError) {
        try sendFrame(payload, on: writableSocket())
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
    ///
    /// Inlinable, so that the caller's collection type is known where its storage is reached
    /// (an array's bytes are sent in place, without a generic call per message).
    @inlinable
    public func sendBytes(_ bytes: some Collection<UInt8>, offset: Int = 0, size: Int? = nil) throws(ConnectionError) {
        let size = Self.checkedRange(count: bytes.count, offset: offset, size: size)
        var failure: ConnectionError?
        let sent: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            do throws(ConnectionError) {
                try sendMessage(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[offset..<offset + size])))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        if sent == nil {
            try Array(bytes.dropFirst(offset).prefix(size)).withContiguousBytes { (raw) throws(ConnectionError) in try sendMessage(raw) }
        }
    }

    /// The size of the run of ``sendBytes(_:offset:size:)`` (`size`, or all after `offset`),
    /// once `offset` and `size` are checked against the `count` bytes given.
    @usableFromInline
    static func checkedRange(count: Int, offset: Int, size: Int?) -> Int {
        usageCheck(offset >= 0 && offset <= count, "Connection.sendBytes: offset \(offset) is outside the \(count) bytes given")
        let size = size ?? count - offset
        usageCheck(size >= 0 && size <= count - offset, "Connection.sendBytes: size \(size) from offset \(offset) runs past the \(count) bytes given")
        return size
    }

    /// Sends `payload` as one frame; with `descriptor`, the descriptor travels attached to it.
    func sendFrame(_ payload: UnsafeRawBufferPointer, on socket: StreamSocket, attaching descriptor: CInt? = nil) throws(ConnectionError) {
        // The connection's length field (``FrameHeader/connection``) is 8 bytes: it fills
        // `header` exactly.
        let framing = FrameHeader.connection
        var header: UInt64 = 0
        withUnsafeMutableBytes(of: &header) { framing.writeLength(payload.count, to: $0.baseAddress!) }
        let frameSize = framing.lengthSize + payload.count
        do {
            try sendLock.withLock { () throws(Errno) in
                if frameSize <= Self.smallFrame {
                    try withUnsafeTemporaryAllocation(byteCount: frameSize, alignment: 8) { (frame) throws(Errno) in
                        frame.storeBytes(of: header, as: UInt64.self)
                        if !payload.isEmpty {
                            (frame.baseAddress! + framing.lengthSize).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
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
}
