#if MPI
import CMPI
import Glibc
import Multitask
import Synchronization

/// A worker node: an MPI rank (or a spawned MPI worker) that runs no task itself but feeds a
/// local process ``Pool`` of forkserver workers, so a task that traps, exits or runs past its
/// timeout fails alone, as it does locally, and the node goes on.
///
/// The process's main thread is its MPI thread: it receives batches of tasks from the front
/// end, submits them encoded to the local pool, and sends the outcomes back in batches; the
/// local pool's dispatcher thread hands outcomes over through a locked outbox and a doorbell,
/// and sends the outcome of the last task running itself (MPI is initialised
/// `MPI_THREAD_SERIALIZED`, and every MPI call is made under one lock), which saves a wake-up
/// of the MPI thread per round trip. It polls MPI with ``MPIBackoff`` between rounds.
// @unchecked: `outbox`, `running` and `doorbell` guard themselves; `port`, `outstanding`, `types`, `lastSent`, `sentForUs` and the stash are used only under `mpi`; the rest is the MPI (main) thread's alone.
final class MPINode: @unchecked Sendable {
    private let pool: Pool
    /// The local pool's worker processes.
    private let workers: Int
    private let port: MPIPort
    /// The rank of the front end on the port's communicator.
    private let frontEnd: Int32
    private let outbox = Mutex<[MPIReplyFrame]>([])
    private let doorbell = Event()
    /// Task types by the front end's numbers.
    private var types: [UInt32: Pool.EncodedType] = [:]
    /// Tasks received and not answered yet (under ``mpi``).
    private var outstanding = 0
    /// Tasks submitted to the local pool whose outcome has not come back.
    private let running = Atomic<Int>(0)
    /// Held around every MPI call (`MPI_THREAD_SERIALIZED`): by the MPI thread for each round
    /// of its loop, and by the local pool's dispatcher thread when it sends a last outcome.
    private let mpi = Lock()
    /// When the node last sent anything (under ``mpi``).
    private var lastSent = ContinuousClock.now
    /// Set when the dispatcher thread sent outcomes, cleared by the next round (under ``mpi``):
    /// the MPI thread counts it as its own activity and polls eagerly for the next task.
    private var sentForUs = false
    /// The actor hosts the front end placed here.
    private let actors: MPINodeActors
    /// Messages the dispatcher thread received for the MPI thread to act on (under ``mpi``),
    /// and the error it met receiving one.
    private var stash: [MPIMessage] = []
    private var stashedProblem: (any Error)?
    /// Whether the dispatcher thread polls for the next task (under ``mpi``; see
    /// ``MPIBackoff/lingerWindow``).
    private var lingerBudget = ActorLingerBudget()

    private init(pool: Pool, workers: Int, port: MPIPort, frontEnd: Int32) {
        self.pool = pool
        self.workers = workers
        self.port = port
        self.frontEnd = frontEnd
        actors = MPINodeActors(doorbell: doorbell)
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
            let node = MPINode(pool: pool, workers: workers, port: MPIPort(comm: comm), frontEnd: 0)
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

    /// What one round of the loop came to.
    private enum Round { case active, quiet, stopped, terminated }

    /// The loop: until the front end says stop (and every task was answered) or terminate.
    /// Returns whether it was told to terminate. Each round runs under ``mpi``; the thread
    /// lets go of it before it yields or sleeps.
    private func run() throws -> Bool {
        var backoff = MPIBackoff()
        var stopping = false
        loop: while true {
            doorbell.clear()
            mpi.acquire()
            let round: Round
            do {
                round = try serveRound(stopping: &stopping)
            } catch {
                mpi.release()
                throw error
            }
            // A message is awaited only while a worker is idle (a task would start at once).
            // A node streaming a map sleeps between rings too: three threads polling (the
            // front end and two nodes) on 2 CPUs hold off the pools' dispatchers and workers.
            let expecting = outstanding < workers && !actors.isBusy
            mpi.release()
            switch round {
            case .terminated: return true
            case .stopped: break loop
            case .active: backoff.reset()
            case .quiet:
                // Outcomes ring the doorbell.
                if let wait = backoff.idle(expecting: expecting) { _ = doorbell.wait(timeout: wait) }
            }
        }
        actors.stopAll()
        pool.close()
        pool.join()
        try mpi.withLock {
            try port.send(MPIMessage(kind: .bye), to: frontEnd)
            _ = port.flush(within: .seconds(10))
        }
        return false
    }

    /// One round, under ``mpi``: takes what the front end sent, sends the outcomes that are
    /// ready (or a heartbeat).
    private func serveRound(stopping: inout Bool) throws -> Round {
        var active = try port.progress() || sentForUs
        sentForUs = false
        if let problem = stashedProblem { throw problem }
        let stashed = stash
        stash.removeAll()
        for message in stashed {
            active = true
            if try handle(message, stopping: &stopping) { return .terminated }
        }
        while let (_, message) = try port.receive() {
            active = true
            if try handle(message, stopping: &stopping) { return .terminated }
        }
        let outcomes = actors.takeOutcomes()
        if !outcomes.isEmpty {
            active = true
            try port.send(MPIMessage(kind: .actors, actors: outcomes), to: frontEnd)
            lastSent = ContinuousClock.now
        }
        if try sendReplies() {
            active = true
        } else if ContinuousClock.now - lastSent > MPIMessage.heartbeat {
            try port.send(MPIMessage(kind: .alive), to: frontEnd)
            lastSent = ContinuousClock.now
        }
        if stopping && outstanding == 0 { return .stopped }
        return active ? .active : .quiet
    }

    /// Acts on a message from the front end, on the MPI thread under ``mpi``; returns whether
    /// it said terminate (the local pool and the actors are ended then, and the goodbye sent).
    private func handle(_ message: MPIMessage, stopping: inout Bool) throws -> Bool {
        switch message.kind {
        case .tasks: submit(message.tasks)
        case .actors: actors.handle(message.actors)
        case .stop: stopping = true
        case .terminate:
            actors.stopAll()
            pool.terminate()
            pool.join()
            try port.send(MPIMessage(kind: .bye), to: frontEnd)
            _ = port.flush(within: .seconds(2))
            return true
        case .hello, .replies, .bye, .alive: break
        }
        return false
    }

    /// Sends the outcomes in the outbox to the front end, in one message; returns whether
    /// there were any. Only under ``mpi``.
    private func sendReplies() throws -> Bool {
        let replies = outbox.withLock { outbox in
            defer { outbox.removeAll(keepingCapacity: true) }
            return outbox
        }
        guard !replies.isEmpty else { return false }
        outstanding -= replies.count
        try port.send(MPIMessage(kind: .replies, replies: replies), to: frontEnd)
        lastSent = ContinuousClock.now
        return true
    }

    /// Submits `tasks` to the local pool; each outcome lands in the outbox.
    private func submit(_ tasks: [MPITaskFrame]) {
        for task in tasks {
            outstanding += 1
            running.add(1, ordering: .relaxed)
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

    /// Puts an outcome in the outbox (on the local pool's dispatcher thread). The outcome of
    /// the last task running here goes to the front end at once, from this thread, when no
    /// other holds ``mpi``: the MPI thread would only wake to send it. Otherwise the MPI thread
    /// is rung and sends the outbox as one batch.
    private func deliver(_ id: UInt64, _ outcome: Result<[UInt8], PoolError>) {
        let frame: MPIReplyFrame
        switch outcome {
        case .success(let bytes): frame = MPIReplyFrame(id: id, output: bytes)
        case .failure(let error): frame = MPIReplyFrame(id: id, failure: MPIFailure(error))
        }
        outbox.withLock { $0.append(frame) }
        let last = running.subtract(1, ordering: .acquiringAndReleasing).oldValue == 1
        // tryAcquire, never acquire: the MPI thread holds `mpi` while it joins the pool.
        guard last, mpi.tryAcquire() else { return doorbell.set() }
        var tookOver = false
        if (try? sendReplies()) == true, lingerBudget.admits() {
            let heard = awaitNextMessage()
            lingerBudget.record(hit: heard != nil)
            tookOver = heard == true
        }
        // Unless this thread took the next tasks, the MPI thread polls for them (off the
        // round trip's path: the reply is on its way).
        if !tookOver { sentForUs = true }
        mpi.release()
        if !tookOver { doorbell.set() }
    }

    /// On the local pool's dispatcher thread, under ``mpi``, after it sent the outcome of the
    /// last task running here: polls MPI for the front end's next message for a moment and
    /// submits the tasks it brings to the local pool itself — the pool's dispatcher, awake,
    /// then sends them to a worker at once, where the MPI thread, asleep, would first have to
    /// be woken and then wake the dispatcher (on a loaded machine each wake-up costs a
    /// scheduling delay, longest for threads that polled much). Any other message is left
    /// for the MPI thread. Returns whether tasks came (nil: nothing came). Nothing else runs
    /// on the local pool meanwhile, so holding its dispatcher here delays nothing.
    private func awaitNextMessage() -> Bool? {
        let end = ContinuousClock.now + MPIBackoff.lingerWindow
        repeat {
            let received: (source: Int32, message: MPIMessage)?
            do {
                received = try port.receive()
            } catch {
                stashedProblem = error
                return false
            }
            if let (_, message) = received {
                guard message.kind == .tasks else {
                    stash.append(message)
                    return false
                }
                submit(message.tasks)
                return true
            }
        } while ContinuousClock.now < end
        return nil
    }
}
#endif
