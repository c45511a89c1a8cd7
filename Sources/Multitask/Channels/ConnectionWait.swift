extension Connection {
    /// The connections among `connections` that have a whole message (or end of stream)
    /// waiting, waiting up to `timeout` (nil: forever) for at least one; Python's
    /// `multiprocessing.connection.wait`. Returns an empty array on timeout.
    ///
    /// Like ``poll(timeout:)``, it reads what the sockets hold into the connections' buffers
    /// and does not report a connection whose next message has only partly arrived.
    ///
    /// Every connection must be open and able to receive (a programmer error otherwise). The
    /// result keeps the order of `connections`. To wait for child processes too, use
    /// ``wait(_:processes:timeout:)``.
    ///
    /// ```swift
    /// for ready in Connection.wait(workers, timeout: .seconds(1)) {
    ///     print(try ready.receive(String.self))
    /// }
    /// ```
    public static func wait(_ connections: [Connection], timeout: Duration? = nil) -> [Connection] {
        wait(connections, processes: [], timeout: timeout).connections
    }

    /// The connections that have a whole message (or end of stream) waiting and the processes
    /// that have ended, among `connections` and `processes`, waiting up to `timeout` (nil:
    /// forever) for at least one; Python's `multiprocessing.connection.wait` over connections
    /// and process sentinels together. Both arrays are empty on timeout.
    ///
    /// A process is ready once its child has ended: ``Process/join()`` then returns at once
    /// (for a `.forkserver` child, as soon as the server's exit report arrives, which is
    /// already on its way). A process that ended earlier, or was closed, is ready at once.
    /// Connections are ready as for ``wait(_:timeout:)``. Each result keeps the order of its
    /// argument. A process that was never started, or that another process created, is a
    /// programmer error, as is a closed or send-only connection.
    ///
    /// ```swift
    /// let (results, childEnd) = try Pipe(duplex: false)
    /// let worker = Process { try childEnd.send(42) }
    /// try worker.start()
    /// let ready = Connection.wait([results], processes: [worker], timeout: .seconds(5))
    /// if !ready.connections.isEmpty { print(try results.receive(Int.self)) }
    /// if !ready.processes.isEmpty { worker.join() }   // it ended: returns at once
    /// ```
    public static func wait(
        _ connections: [Connection] = [], processes: [Process], timeout: Duration? = nil
    ) -> (connections: [Connection], processes: [Process]) {
        let sockets = connections.map { connection in
            usageCheck(connection.isReadable, "Connection.wait: a send-only end of a one-way Pipe cannot become readable")
            return connection.socket(for: "wait")
        }
        // Held in use until the end, so that no join elsewhere releases a pidfd being polled.
        let descriptors = processes.map { $0.beginDescriptorUse("wait (Connection.wait)") }
        defer {
            for (process, descriptor) in zip(processes, descriptors) {
                process.endDescriptorUse(counted: descriptor != nil)
            }
        }
        let deadline = timeout.map { Deadline.timeout($0, of: "Connection.wait(_:processes:timeout:)") }
        let pidfds = descriptors.compactMap { $0?.rawValue }
        while true {
            let readyConnections = connections.indices.filter { connections[$0].hasWholeMessage(sockets[$0]) }
            // A nil descriptor is a child that ended already (or was closed).
            var exited = pidfds.isEmpty ? [] : Poll.readable(pidfds, until: .now)
            let readyProcesses = processes.indices.filter { descriptors[$0] == nil || exited.removeFirst() }
            if !readyConnections.isEmpty || !readyProcesses.isEmpty {
                return (readyConnections.map { connections[$0] }, readyProcesses.map { processes[$0] })
            }
            guard !sockets.isEmpty || !pidfds.isEmpty else { return ([], []) }
            // Every socket was just drained: one turns readable when more arrives; a pidfd
            // turns readable when its child ends.
            guard Poll.readable(sockets.map(\.fd) + pidfds, until: deadline).contains(true) else { return ([], []) }
        }
    }
}
