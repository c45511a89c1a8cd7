import SystemPackage

/// A ``Connection`` is `Codable` as a handle: its socket travels as a passed descriptor, so a
/// connection can be part of a ``ProcessEntry`` value and reach a child of any start method
/// (Python pickles a `Connection` into a spawned child the same way).
///
/// The decoded connection owns a duplicate of the socket; the original stays open in the
/// sending process, which usually closes its copy once the child started. A connection with
/// bytes already read ahead into its buffer cannot be encoded (they would be lost), nor can a
/// closed one. The handle carries the connection's ``Connection/maxMessageSize``.
///
/// A handle names a descriptor *number*, which means something only in a process the
/// descriptor reached (a fork child inherits it; `.spawn` and `.forkserver` children get it
/// passed beside the entry value). So the handle also records the socket's identity (device
/// and inode, as `fstat` reports them) and decoding checks it: a handle decoded where that
/// number is closed or is another file or socket throws
/// ``ConnectionError/descriptorNotInherited(_:)`` instead of adopting whatever is there.
///
/// ```swift
/// struct Echo: ProcessEntry {
///     var connection: Connection
///     func run() throws { try connection.send(try connection.receive(Int.self) + 1) }
/// }
/// let (mine, theirs) = try Pipe(duplex: true)
/// try Process(startMethod: .spawn, entry: Echo(connection: theirs)).start()
/// theirs.close()
/// try mine.send(41)   // mine.receive(Int.self) == 42
/// ```
extension Connection: Codable {
    private enum CodingKeys: String, CodingKey { case socket, device, inode, readable, writable, maxMessageSize }

    /// Encodes a handle of this connection: its socket as a passed descriptor with the
    /// socket's identity, its direction and its message-size limit. Throws
    /// `EncodingError.invalidValue` for a closed connection or one with bytes read ahead.
    public func encode(to encoder: any Encoder) throws {
        let fd = descriptorForHandle
        guard fd >= 0 else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "a closed Connection cannot be sent to another process"))
        }
        guard !hasReadAhead else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "this Connection has read ahead bytes another process would not get; send it before receiving on it"))
        }
        let identity: FileIdentity
        do {
            identity = try FileDescriptor(rawValue: fd).fileIdentity()
        } catch {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "cannot read the identity of the connection's socket: \(error)"))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(PassedDescriptor(rawValue: fd), forKey: .socket)
        try container.encode(identity.device, forKey: .device)
        try container.encode(identity.inode, forKey: .inode)
        try container.encode(isReadable, forKey: .readable)
        try container.encode(isWritable, forKey: .writable)
        try container.encode(maxMessageSize, forKey: .maxMessageSize)
    }

    /// Decodes a handle into a connection that owns a duplicate of the socket — in a child of
    /// any start method when the handle travelled inside its entry value.
    ///
    /// Throws ``ConnectionError/descriptorNotInherited(_:)`` when the handle's descriptor is
    /// not, in this process, the very socket that was encoded (checked by device and inode),
    /// and `DecodingError` for malformed handle bytes.
    public convenience init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let passed = try container.decode(PassedDescriptor.self, forKey: .socket)
        let device = try container.decode(UInt64.self, forKey: .device)
        let inode = try container.decode(UInt64.self, forKey: .inode)
        let readable = try container.decode(Bool.self, forKey: .readable)
        let writable = try container.decode(Bool.self, forKey: .writable)
        let limit = try container.decode(Int.self, forKey: .maxMessageSize)
        guard limit >= 0 else {
            throw DecodingError.dataCorruptedError(forKey: .maxMessageSize, in: container, debugDescription: "a Connection handle has a negative message-size limit \(limit)")
        }
        let found = try? FileDescriptor(rawValue: passed.rawValue).fileIdentity()
        guard let found, found.device == device, found.inode == inode, StreamSocket.isStreamSocket(passed.rawValue) else {
            throw ConnectionError.descriptorNotInherited(passed.rawValue)
        }
        let fd: CInt
        do {
            fd = try passed.duplicate()
        } catch {
            throw ConnectionError.system(error)
        }
        self.init(socket: StreamSocket(fd: fd), readable: readable, writable: writable, maxMessageSize: limit)
    }
}
