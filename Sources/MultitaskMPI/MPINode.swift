#if MPI
import CMPI
import Glibc
import Multitask
import Synchronization

/// A worker node: an MPI rank (or a spawned MPI worker) that runs no task itself but feeds a
/// local process ``Pool`` of forkserver workers, so a task that traps, exits or runs past its
/// timeout fails alone, as it does locally, and the node goes on.
///
/// The process's main thread is its one MPI thread: it receives batches of tasks from the
/// front end, submits them encoded to the local pool, and sends the outcomes back in batches;
/// the local pool's dispatcher thread hands outcomes over through a locked outbox and a
/// doorbell. It polls MPI with ``MPIBackoff`` between rounds.
// @unchecked: `outbox` and `doorbell` guard themselves; everything else is the MPI (main) thread's alone.
final class MPINode: @unchecked Sendable {
    private let pool: Pool
    private let port: MPIPort
    /// The rank of the front end on the port's communicator.
    private let frontEnd: Int32
    private let outbox = Mutex<[MPIReplyFrame]>([])
    private let doorbell = Event()
    /// Task types by the front end's numbers.
    private var types: [UInt32: Pool.EncodedType] = [:]
    private var outstanding = 0

    private init(pool: Pool, port: MPIPort, frontEnd: Int32) {
        self.pool = pool
        self.port = port
        self.frontEnd = frontEnd
    }

    /// Serves the front end until it says stop or terminate, then ends the process. The local
    /// pool starts before MPI does: its fork server is a fresh program, never a copy of a
    /// process that initialised MPI.
    static func serve(workers: Int, spawned: Bool) -> Never {
        MPICalls.prepareEnvironment()
        let pool: Pool
        do {
            pool = try Pool(processes: workers)
        } catch {
            fail("cannot start the local pool: \(error)")
        }
        do {
            try MPICalls.initialize()
            let comm: MPI_Comm
            if spawned {
                guard let parent = try MPICalls.parent() else { fail("spawned without a parent communicator") }
                comm = parent
            } else {
                comm = cmpi_comm_world()
            }
            let node = MPINode(pool: pool, port: MPIPort(comm: comm), frontEnd: 0)
            try node.port.send(MPIMessage(kind: .hello, workers: workers), to: node.frontEnd)
            let terminated = try node.run()
            // Told to terminate, a peer may be dead (a lost node), and MPI's goodbyes wait for
            // every peer: they get 2 s (30 s after a normal stop), then the process ends anyway.
            endAnyway(after: terminated ? .seconds(2) : .seconds(30))
            if spawned { MPICalls.disconnect(comm) }
        } catch {
            fail("\(error)")
        }
        MPICalls.finalize()
        exit(0)
    }

    /// Ends the process with status 0 after `limit` unless it ended first.
    private static func endAnyway(after limit: Duration) {
        let watchdog = Multitask.Thread(name: "MPI goodbye", daemon: true) {
            let (seconds, attoseconds) = limit.components
            usleep(UInt32(seconds) * 1_000_000 + UInt32(attoseconds / 1_000_000_000_000))
            _exit(0)
        }
        watchdog.start()
    }

    private static func fail(_ message: String) -> Never {
        Multitask.exit("multitask MPI worker (pid \(getpid())): \(message)")
    }

    /// The loop: until the front end says stop (and every task was answered) or terminate.
    /// Returns whether it was told to terminate.
    private func run() throws -> Bool {
        var backoff = MPIBackoff()
        var stopping = false
        var lastSent = ContinuousClock.now
        while true {
            doorbell.clear()
            var active = try port.progress()
            while let (_, message) = try port.receive() {
                active = true
                switch message.kind {
                case .tasks: submit(message.tasks)
                case .stop: stopping = true
                case .terminate:
                    pool.terminate()
                    pool.join()
                    try port.send(MPIMessage(kind: .bye), to: frontEnd)
                    _ = port.flush(within: .seconds(2))
                    return true
                case .hello, .replies, .bye, .alive: break
                }
            }
            let replies = outbox.withLock { outbox in
                defer { outbox.removeAll(keepingCapacity: true) }
                return outbox
            }
            if !replies.isEmpty {
                active = true
                outstanding -= replies.count
                try port.send(MPIMessage(kind: .replies, replies: replies), to: frontEnd)
                lastSent = ContinuousClock.now
            } else if ContinuousClock.now - lastSent > MPIMessage.heartbeat {
                try port.send(MPIMessage(kind: .alive), to: frontEnd)
                lastSent = ContinuousClock.now
            }
            if stopping && outstanding == 0 { break }
            if active {
                backoff.reset()
            } else if let wait = backoff.idle(ceiling: outstanding > 0 ? .microseconds(200) : .milliseconds(1)) {
                _ = doorbell.wait(timeout: wait)
            }
        }
        pool.close()
        pool.join()
        try port.send(MPIMessage(kind: .bye), to: frontEnd)
        _ = port.flush(within: .seconds(10))
        return false
    }

    /// Submits `tasks` to the local pool; each outcome lands in the outbox.
    private func submit(_ tasks: [MPITaskFrame]) {
        for task in tasks {
            outstanding += 1
            if let name = task.typeName, types[task.typeID] == nil {
                if let type = Pool.encodedType(named: name) { types[task.typeID] = type }
            }
            guard let type = types[task.typeID] else {
                deliver(task.id, .failure(.taskFailed(
                    errorType: "MultitaskMPI.UnknownTaskType",
                    description: "no PoolTask type named '\(task.typeName ?? "#\(task.typeID)")' exists on this node (is every node running the same executable?)",
                    task: ""
                )))
                continue
            }
            let id = task.id
            pool.submitEncoded(type, payload: task.payload, timeout: task.timeout) { [self] outcome in deliver(id, outcome) }
        }
    }

    /// Puts an outcome in the outbox and rings the MPI thread.
    private func deliver(_ id: UInt64, _ outcome: Result<[UInt8], PoolError>) {
        let frame: MPIReplyFrame
        switch outcome {
        case .success(let bytes): frame = MPIReplyFrame(id: id, output: bytes)
        case .failure(let error): frame = MPIReplyFrame(id: id, failure: MPIFailure(error))
        }
        outbox.withLock { $0.append(frame) }
        doorbell.set()
    }
}
#endif
