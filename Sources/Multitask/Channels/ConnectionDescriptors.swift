import SystemPackage

/// Passing open file descriptors over a ``Connection`` (Python's
/// `multiprocessing.reduction.send_handle` / `recv_handle`).
extension Connection {
    /// Sends `descriptor` as one message: the receiving process gets its own descriptor for
    /// the same open file (a pipe, socket, file, pidfd, …) from ``receiveDescriptor()``.
    /// This process keeps `descriptor` open; close it when done.
    ///
    /// The descriptor travels with the message's bytes (`SCM_RIGHTS`), so the other end must
    /// take that message with ``receiveDescriptor()``, in order with the other messages.
    /// Throws ``ConnectionError/system(_:)`` with `.badFileDescriptor` when `descriptor` is not
    /// open, and ``ConnectionError/closed`` when the other end is closed.
    ///
    /// ```swift
    /// let (parent, child) = try Pipe(duplex: true)
    /// let log = try FileDescriptor.open("/tmp/log", .writeOnly, options: .create, permissions: .ownerReadWrite)
    /// let p = Process { let fd = try child.receiveDescriptor(); _ = try fd.writeAll("hi\n".utf8) }
    /// try p.start()
    /// try parent.sendDescriptor(log)
    /// ```
    public func sendDescriptor(_ descriptor: FileDescriptor) throws(ConnectionError) {
        let identity: FileIdentity
        do {
            identity = try descriptor.fileIdentity()
        } catch {
            throw .system(error)
        }
        let socket = writableSocket()
        try DescriptorMessage(identity: identity).withBytes { (bytes) throws(ConnectionError) in
            try sendFrame(bytes, on: socket, attaching: descriptor.rawValue)
        }
    }

    /// Receives the next message, which must be a descriptor sent with
    /// ``sendDescriptor(_:)``, waiting for it, and returns this process's descriptor for that
    /// file (close-on-exec; the caller owns it and closes it).
    ///
    /// What arrives is checked: the message must be a descriptor message
    /// (``ConnectionError/undecodable(_:)`` otherwise, and it is consumed), and a descriptor
    /// of the file it names, by device and inode, must have arrived with it
    /// (``ConnectionError/badDescriptor(_:)`` otherwise). Descriptors a peer attached to other
    /// messages are closed on the way, never returned. Other errors as for ``receive(_:)``.
    public func receiveDescriptor() throws(ConnectionError) -> FileDescriptor {
        try receiveMessage { length in
            length == DescriptorMessage.size ? .accept : .discard(.undecodable("a message of \(length) bytes is not a descriptor message (\(DescriptorMessage.size) bytes)"))
        } read: { (bytes) throws(ConnectionError) -> FileDescriptor in
            guard let claimed = DescriptorMessage(bytes) else {
                throw .undecodable("the message is not a descriptor message")
            }
            let fd = takeReceivedDescriptor { (try? FileDescriptor(rawValue: $0).fileIdentity()) == claimed.identity }
            guard let fd else {
                throw .badDescriptor("no descriptor of the file the message names arrived with it")
            }
            return FileDescriptor(rawValue: fd)
        }
    }
}

/// The bytes of a descriptor message: a tag, then the device and inode of the file sent, all
/// little-endian; the descriptor itself travels beside them (`SCM_RIGHTS`).
struct DescriptorMessage {
    static let size = 24
    /// "MTFDPASS": tells a descriptor message from an ordinary 24-byte one.
    private static let tag: UInt64 = 0x5353_4150_4446_544D

    let identity: FileIdentity

    init(identity: FileIdentity) {
        self.identity = identity
    }

    /// Reads a message; nil unless it is exactly a tagged descriptor message.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.size,
              UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) == Self.tag
        else { return nil }
        identity = FileIdentity(device: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                                inode: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
    }

    /// Calls `body` with the message's bytes.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws(ConnectionError) -> Result) throws(ConnectionError) -> Result {
        let words = (Self.tag.littleEndian, identity.device.littleEndian, identity.inode.littleEndian)
        return try withUnsafeBytes(of: words) { (bytes) throws(ConnectionError) in try body(bytes) }
    }
}
