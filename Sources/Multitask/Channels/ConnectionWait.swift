extension Connection {
    /// The connections among `connections` that have a message (or end of stream) waiting,
    /// waiting up to `timeout` (nil: forever) for at least one; Python's
    /// `multiprocessing.connection.wait`. Returns an empty array on timeout.
    ///
    /// Every connection must be open and able to receive (a programmer error otherwise). The
    /// result keeps the order of `connections`.
    ///
    /// ```swift
    /// for ready in Connection.wait(workers, timeout: .seconds(1)) {
    ///     print(try ready.receive(String.self))
    /// }
    /// ```
    public static func wait(_ connections: [Connection], timeout: Duration? = nil) -> [Connection] {
        let descriptors = connections.map { connection in
            usageCheck(connection.isReadable, "Connection.wait: a send-only end of a one-way Pipe cannot become readable")
            return connection.socket(for: "wait").fd
        }
        // Bytes already read ahead are invisible to the kernel: such a connection is ready now.
        let buffered = connections.map(\.hasBufferedBytes)
        let deadline: Deadline? = buffered.contains(true) ? .now : timeout.map { .after($0) }
        let readable = descriptors.isEmpty ? [] : Poll.readable(descriptors, until: deadline)
        return connections.indices.filter { buffered[$0] || readable[$0] }.map { connections[$0] }
    }
}
