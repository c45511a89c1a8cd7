/// Creates a connected pair of ``Connection``s, Python's `multiprocessing.Pipe`.
///
/// With `duplex` true (the default) both ends send and receive. With `duplex` false the first
/// end only receives and the second only sends (Python's order: `reader, writer`).
///
/// Messages travel through an `AF_UNIX` stream socket as length-prefixed frames, so a message
/// of any size works (a `SOCK_SEQPACKET` socket would cap one message at the socket buffer,
/// ~200 KiB here). Both descriptors are close-on-exec; fork children inherit them.
///
/// ```swift
/// let (reader, writer) = try Pipe(duplex: false)
/// let p = Process { for i in 0..<3 { try writer.send(i) } }
/// try p.start()
/// writer.close()                     // or the reader never sees end of stream
/// while let i = try? reader.receive(Int.self) { print(i) }   // 0 1 2
/// ```
///
/// Both ends accept messages of up to 64 MiB (see ``Connection/maxMessageSize``). Throws
/// ``ConnectionError/system(_:)`` if the kernel refuses the socket (out of descriptors).
///
/// `duplex` has no default here, unlike Python: a bare `Pipe()` would take over Foundation's
/// `Pipe()` in every file that imports both. ``Connection/pipe(duplex:maxMessageSize:)`` is the
/// same call with the defaults.
public func Pipe(duplex: Bool) throws(ConnectionError) -> (Connection, Connection) {
    try Connection.pipe(duplex: duplex)
}

extension Connection {
    /// Creates a connected pair of connections; the same as ``Pipe(duplex:)``, with `duplex`
    /// true by default, and both ends accepting messages of up to `maxMessageSize` bytes
    /// (see ``Connection/maxMessageSize``).
    ///
    /// ```swift
    /// let (a, b) = try Connection.pipe()
    /// try a.send("ping")
    /// print(try b.receive(String.self))   // ping
    /// ```
    public static func pipe(duplex: Bool = true, maxMessageSize: Int = defaultMaxMessageSize) throws(ConnectionError) -> (Connection, Connection) {
        let (first, second): (StreamSocket, StreamSocket)
        do {
            (first, second) = try StreamSocket.pair()
        } catch {
            throw .system(error)
        }
        guard duplex else {
            first.shutdown(reading: false)
            second.shutdown(reading: true)
            return (Connection(socket: first, readable: true, writable: false, maxMessageSize: maxMessageSize),
                    Connection(socket: second, readable: false, writable: true, maxMessageSize: maxMessageSize))
        }
        return (Connection(socket: first, readable: true, writable: true, maxMessageSize: maxMessageSize),
                Connection(socket: second, readable: true, writable: true, maxMessageSize: maxMessageSize))
    }
}
