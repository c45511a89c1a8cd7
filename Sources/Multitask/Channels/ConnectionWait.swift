extension Connection {
    /// The connections among `connections` that have a whole message (or end of stream)
    /// waiting, waiting up to `timeout` (nil: forever) for at least one; Python's
    /// `multiprocessing.connection.wait`. Returns an empty array on timeout.
    ///
    /// Like ``poll(timeout:)``, it reads what the sockets hold into the connections' buffers
    /// and does not report a connection whose next message has only partly arrived.
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
        let sockets = connections.map { connection in
            usageCheck(connection.isReadable, "Connection.wait: a send-only end of a one-way Pipe cannot become readable")
            return connection.socket(for: "wait")
        }
        guard !sockets.isEmpty else { return [] }
        let deadline = timeout.map { Deadline.after($0) }
        while true {
            let ready = connections.indices.filter { connections[$0].hasWholeMessage(sockets[$0]) }
            if !ready.isEmpty { return ready.map { connections[$0] } }
            // Every socket was just drained: one turns readable when more arrives.
            guard Poll.readable(sockets.map(\.fd), until: deadline).contains(true) else { return [] }
        }
    }
}
