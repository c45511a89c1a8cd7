/// A ``Connection`` is `Codable` as a handle: its socket travels as a passed descriptor, so a
/// connection can be part of a ``ProcessEntry`` value and reach a child of any start method
/// (Python pickles a `Connection` into a spawned child the same way).
///
/// The decoded connection owns a duplicate of the socket; the original stays open in the
/// sending process, which usually closes its copy once the child started. A connection with
/// bytes already read ahead into its buffer cannot be encoded (they would be lost), nor can a
/// closed one.
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
    private enum CodingKeys: String, CodingKey { case socket, readable, writable }

    /// Encodes a handle of this connection: its socket as a passed descriptor and its
    /// direction. Throws `EncodingError.invalidValue` for a closed connection or one with
    /// bytes read ahead.
    public func encode(to encoder: any Encoder) throws {
        let fd = descriptorForHandle
        guard fd >= 0 else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "a closed Connection cannot be sent to another process"))
        }
        guard !hasBufferedBytes else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "this Connection has read ahead bytes another process would not get; send it before receiving on it"))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(PassedDescriptor(rawValue: fd), forKey: .socket)
        try container.encode(isReadable, forKey: .readable)
        try container.encode(isWritable, forKey: .writable)
    }

    /// Decodes a handle into a connection that owns a duplicate of the socket — in a child of
    /// any start method when the handle travelled inside its entry value. Throws
    /// `DecodingError` when the descriptor is not a socket in this process.
    public convenience init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let passed = try container.decode(PassedDescriptor.self, forKey: .socket)
        let readable = try container.decode(Bool.self, forKey: .readable)
        let writable = try container.decode(Bool.self, forKey: .writable)
        guard StreamSocket.isStreamSocket(passed.rawValue) else {
            throw DecodingError.dataCorruptedError(forKey: .socket, in: container, debugDescription: "descriptor \(passed.rawValue) of a Connection handle is not a socket in this process (was it passed to the child?)")
        }
        let fd: CInt
        do {
            fd = try passed.duplicate()
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .socket, in: container, debugDescription: "cannot duplicate the connection's descriptor: \(error)")
        }
        self.init(socket: StreamSocket(fd: fd), readable: readable, writable: writable)
    }
}
