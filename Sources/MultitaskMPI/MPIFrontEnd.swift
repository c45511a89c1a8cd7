#if MPI
import CMPI
import Multitask
import Synchronization

/// The front end of an MPI ``Pool``: the process's MPI thread, which takes the pool's
/// submissions from its ``PoolRemoteEngine``, sends them in batches to the worker nodes as
/// each has room (a window proportional to its worker count: a node with more cores gets
/// more work), and settles each task with the node's reply.
///
/// Outcomes (and so result callbacks and `progress`) are delivered on this thread, or on the
/// thread of an `apply` that serves for it (below). Between rounds with nothing to do it
/// sleeps on its doorbell with ``MPIBackoff``. A submission that finds it asleep is sent by
/// the submitting thread itself (every MPI call is made under ``mpi``,
/// `MPI_THREAD_SERIALIZED`), which then rings it to poll for the reply: the task does not
/// wait for the MPI thread to wake. The thread of an `apply` does more: it sends its task
/// and polls MPI for the reply itself (``serveWhileAwaiting(isReady:wait:)``), so a
/// round trip wakes no thread of this process at all.
// @unchecked: `doorbell`, `engine`, `helpers` and `asleep` guard themselves; the rest is used only under `mpi`.
final class MPIFrontEnd: @unchecked Sendable {
    /// Tasks in flight per worker process of a node, at most.
    static let windowPerWorker = 64

    let engine: PoolRemoteEngine
    let doorbell: Event
    /// The actors placed on the nodes (``ActorPlacement/mpiNode(_:)``).
    let actors: MPIActorRouter
    /// Held around every MPI call and every use of the state below: by the MPI thread for
    /// each round of its loop, by a submitting thread while it sends.
    private let mpi = Lock()
    private var port: MPIPort!
    private var nodes: [MPIFrontEndNode] = []
    private var queue: [PoolRemoteTask] = []
    private var queueStart = 0
    private var inFlight: [UInt64: (task: PoolRemoteTask, node: Int)] = [:]
    private var nextID: UInt64 = 1
    /// Set when a submitting thread sent tasks, cleared by the next round: the MPI thread
    /// counts it as its own activity and polls eagerly for the replies.
    private var sentForUs = false
    /// Set once the front end ended (MPI may be finalised): a late ring sends nothing.
    private var ended = false
    /// Threads of an `apply` polling MPI for their replies: while there are any, the MPI
    /// thread leaves the polling to them.
    private let helpers = Atomic<Int>(0)
    /// Whether the MPI thread sleeps (or is about to) after announcing it to the engine, so
    /// that submitters ring it: a helper that took the arrivals (which ends the announcement)
    /// announces it again when it leaves.
    private let asleep = Atomic<Bool>(false)
    /// Whether a helper polls without yielding after it sent (see ``MPIBackoff/lingerWindow``).
    private let lingerBudget = Mutex(ActorLingerBudget())

    init() {
        let doorbell = Event()
        let bell = MPIFrontEndBell(doorbell: doorbell)
        self.doorbell = doorbell
        engine = PoolRemoteEngine(ring: { bell.ring() }, awaiting: { bell.serveWhileAwaiting(rang: $0, isReady: $1, wait: $2) })
        actors = MPIActorRouter(doorbell: doorbell)
        bell.attach(self)
    }

    /// A submission rang (on the submitting thread, while the MPI thread sleeps): sends what
    /// arrived unless another thread holds ``mpi``.
    func submitted() {
        guard mpi.tryAcquire() else { return }
        defer { mpi.release() }
        guard !ended else { return }
        guard enqueueArrivals().phase != .terminating else { return }
        do {
            sentForUs = try assign() || sentForUs
        } catch {
            MPIStartup.abort("the MPI pool's front end failed: \(error)")
        }
    }

    /// Starts MPI, reaches the workers (the other ranks, or `spawn` new ones) and waits for
    /// each to say how many worker processes it has. Returns their total.
    func connect(_ workers: MPIWorkers) throws -> Int {
        try MPICalls.initialize()
        switch workers {
        case .launched:
            let size = try MPICalls.worldSize()
            guard size >= 2 else { throw MPIError.noWorkerRanks }
            port = MPIPort(comm: cmpi_comm_world())
            nodes = (1..<size).map { MPIFrontEndNode(rank: $0, name: "rank \($0)") }
        case let .spawned(count, workersPerNode):
            let executable = try MPIExecutable.path()
            var arguments = [MPIStartup.workerFlag]
            if let workersPerNode { arguments.append(MPIStartup.workersFlag + String(workersPerNode)) }
            port = MPIPort(comm: try MPICalls.spawn(executable, arguments: arguments, count: Int32(count)))
            nodes = (0..<Int32(count)).map { MPIFrontEndNode(rank: $0, name: "spawned worker \($0)") }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        var waiting = nodes.count
        while waiting > 0 {
            guard ContinuousClock.now < deadline else { throw MPIError.workersDidNotStart(seconds: 60) }
            guard let (source, message) = try port.receive() else {
                _ = doorbell.wait(timeout: .microseconds(200))
                continue
            }
            guard message.kind == .hello, let index = nodes.firstIndex(where: { $0.rank == source }) else { continue }
            nodes[index].workers = max(1, message.workers)
            nodes[index].lastHeard = ContinuousClock.now
            waiting -= 1
        }
        actors.connected(nodes.map { ($0.rank, $0.name) })
        return nodes.reduce(0) { $0 + $1.workers }
    }

    /// Serves the pool until it is closed and drained, or terminated; then ends the nodes,
    /// MPI, and the engine. Each round runs under ``mpi``, the outcomes are delivered after it.
    func run() {
        var backoff = MPIBackoff()
        var phase = PoolRemoteEngine.Phase.running
        do {
            while true {
                doorbell.clear()
                mpi.acquire()
                let round: MPIFrontEndRound
                do {
                    round = try serveRound(&phase)
                } catch {
                    mpi.release()
                    throw error
                }
                // An `apply` polling for its reply polls for the others too.
                let expecting = (!inFlight.isEmpty && helpers.load(ordering: .relaxed) == 0) || actors.isBusy
                mpi.release()
                for (task, outcome) in round.settled { outcome(task) }
                switch round.next {
                case .end: return mpi.withLock { shutDown(terminating: phase == .terminating) }
                case .abandoned: return
                case .active: backoff.reset()
                case .quiet:
                    // With nothing in flight only submissions (which ring) and heartbeats come.
                    guard let wait = backoff.idle(expecting: expecting) else { break }
                    asleep.store(true, ordering: .sequentiallyConsistent)
                    if engine.prepareToSleep(in: phase) {
                        _ = doorbell.wait(timeout: wait)
                    }
                    asleep.store(false, ordering: .sequentiallyConsistent)
                }
            }
        } catch {
            MPIStartup.abort("the MPI pool's front end failed: \(error)")
        }
    }

    /// One round, under ``mpi``: takes the submissions, sends tasks and actor traffic, takes
    /// the replies (their outcomes are delivered after the round).
    private func serveRound(_ phase: inout PoolRemoteEngine.Phase) throws -> MPIFrontEndRound {
        var round = MPIFrontEndRound()
        let arrived: Bool
        (arrived, phase) = enqueueArrivals()
        if phase == .terminating { return round.ending() }
        var active = arrived || sentForUs
        sentForUs = false
        active = try assign() || active
        for (rank, frames) in actors.takeOutbox() {
            try port.send(MPIMessage(kind: .actors, actors: frames), to: rank)
            active = true
        }
        active = try takeReplies(into: &round) || active
        if let lost = nodes.firstIndex(where: { ContinuousClock.now - $0.lastHeard > MPIMessage.silenceLimit }) {
            abandon(lost)
            round.next = .abandoned
            return round
        }
        if phase == .closing && queueStart == queue.count && inFlight.isEmpty { return round.ending() }
        round.next = active ? .active : .quiet
        return round
    }

    /// Queues what was submitted since last asked; returns whether anything was, and the
    /// pool's phase. Only under ``mpi``.
    private func enqueueArrivals() -> (arrived: Bool, phase: PoolRemoteEngine.Phase) {
        let (arrivals, phase) = engine.takeArrivals()
        queue.append(contentsOf: arrivals)
        return (!arrivals.isEmpty, phase)
    }

    /// Moves the sends along and takes the replies that arrived (their outcomes go into
    /// `round`); returns whether anything happened. Only under ``mpi``.
    private func takeReplies(into round: inout MPIFrontEndRound) throws -> Bool {
        var active = try port.progress()
        while let (source, message) = try port.receive() {
            active = true
            settle(message, from: source, into: &round)
        }
        return active
    }

    /// Sends each node with room in its window its share of the queued tasks (in proportion to
    /// its workers among the nodes with room), in one message per node.
    private func assign() throws -> Bool {
        var sent = false
        let open = nodes.indices.filter { nodes[$0].inFlight < nodes[$0].workers * Self.windowPerWorker }
        let openWorkers = open.reduce(0) { $0 + nodes[$1].workers }
        let queued = queue.count - queueStart
        for index in open where queueStart < queue.count {
            let share = (queued * nodes[index].workers + openWorkers - 1) / openWorkers
            var room = min(share, nodes[index].workers * Self.windowPerWorker - nodes[index].inFlight)
            var frames: [MPITaskFrame] = []
            while room > 0, queueStart < queue.count {
                let task = queue[queueStart]
                queueStart += 1
                guard task.take() else { continue }
                let id = nextID
                nextID += 1
                let name = nodes[index].knownTypes.insert(task.typeID).inserted ? engine.typeName(of: task.typeID) : nil
                frames.append(MPITaskFrame(id: id, typeID: task.typeID, typeName: name,
                                           timeoutNanoseconds: task.timeout?.totalNanoseconds, payload: task.payload))
                inFlight[id] = (task, index)
                room -= 1
            }
            if queueStart == queue.count {
                queue.removeAll(keepingCapacity: true)
                queueStart = 0
            }
            guard !frames.isEmpty else { continue }
            nodes[index].inFlight += frames.count
            try port.send(MPIMessage(kind: .tasks, tasks: frames), to: nodes[index].rank)
            sent = true
        }
        return sent
    }

    /// Takes the tasks a node answered off the books; their outcomes go into `round`.
    private func settle(_ message: MPIMessage, from source: Int32, into round: inout MPIFrontEndRound) {
        if let node = nodes.firstIndex(where: { $0.rank == source }) { nodes[node].lastHeard = ContinuousClock.now }
        if message.kind == .actors { return actors.route(message.actors) }
        guard message.kind == .replies else { return }
        for reply in message.replies {
            guard let (task, node) = inFlight.removeValue(forKey: reply.id) else { continue }
            nodes[node].inFlight -= 1
            if let output = reply.output {
                round.settled.append((task, { task in output.withUnsafeBytes { task.succeed($0) } }))
            } else {
                let error = (reply.failure ?? MPIFailure(.terminated)).error(task: "\(task.label) on \(nodes[node].name)")
                round.settled.append((task, { task in task.fail(error) }))
            }
        }
    }

    /// Tells every node to stop (after a close) or terminate, waits for their goodbyes (at most
    /// 10 s), fails what is left with ``PoolError/terminated``, and ends MPI.
    private func shutDown(terminating: Bool) {
        ended = true
        actors.end("the MPI pool ended (\(terminating ? "terminated" : "closed")): its nodes' actors ended with it")
        for task in queue[queueStart...] { task.cancel(.terminated) }
        queue.removeAll()
        for (task, _) in inFlight.values { task.fail(.terminated) }
        inFlight.removeAll()
        for node in nodes { try? port.send(MPIMessage(kind: terminating ? .terminate : .stop), to: node.rank) }
        var waiting = Set(nodes.map(\.rank))
        let deadline = ContinuousClock.now + .seconds(10)
        while !waiting.isEmpty && ContinuousClock.now < deadline {
            _ = try? port.progress()
            if let (source, message) = try? port.receive() {
                if message.kind == .bye { waiting.remove(source) }
            } else {
                _ = doorbell.wait(timeout: .microseconds(500))
            }
        }
        guard waiting.isEmpty else {
            let names = nodes.filter { waiting.contains($0.rank) }.map(\.name).joined(separator: ", ")
            MPIStartup.abort("the MPI pool's workers did not end within 10 s: \(names)")
        }
        _ = port.flush(within: .seconds(10))
        if port.comm != cmpi_comm_world() { MPICalls.disconnect(port.comm) }
        MPICalls.finalize()
        engine.finish()
    }
}

extension MPIFrontEnd {
    /// The thread of an `apply` that just submitted its task serves as the MPI thread until
    /// its result is ready: it sends what was submitted, polls MPI for the replies and
    /// settles them (delivering their outcomes, its own among them), with ``MPIBackoff``
    /// between polls — sleeping on its result, which the MPI thread may settle too. A round
    /// trip then costs no wake-up in this process: on a loaded machine, waking the MPI thread
    /// (to send, or to poll for the reply) cost a scheduling delay each time, up to
    /// milliseconds when the thread had used its share of a CPU busy with other jobs.
    func serveWhileAwaiting(isReady: () -> Bool, wait: (Duration) -> Bool) {
        helpers.add(1, ordering: .relaxed)
        let lingers = lingerBudget.withLock { $0.admits() }
        let start = ContinuousClock.now
        var backoff = MPIBackoff()
        var phase = PoolRemoteEngine.Phase.running
        var serving = true
        while serving && !isReady() {
            var round = MPIFrontEndRound()
            var active = false
            if mpi.tryAcquire() {
                if ended {
                    serving = false
                } else {
                    let arrived: Bool
                    (arrived, phase) = enqueueArrivals()
                    if phase == .terminating {
                        serving = false
                    } else {
                        do {
                            active = try assign() || arrived
                            active = try takeReplies(into: &round) || active
                        } catch {
                            MPIStartup.abort("the MPI pool's front end failed: \(error)")
                        }
                    }
                }
                mpi.release()
            }
            for (task, outcome) in round.settled { outcome(task) }
            if active {
                backoff.reset()
            } else if serving, !isReady(), let pause = backoff.idle(expecting: true, spinning: lingers ? MPIBackoff.lingerWindow : .zero) {
                _ = wait(pause)
            }
        }
        if lingers && serving {
            let hit = ContinuousClock.now - start <= MPIBackoff.lingerWindow
            lingerBudget.withLock { $0.record(hit: hit) }
        }
        helpers.subtract(1, ordering: .relaxed)
        // The MPI thread takes over when tasks are left in flight or queued (it slept as if
        // it awaited nothing while this thread polled), or the pool ends; when it holds the
        // lock it is awake, and a ring makes it look again after its round.
        var handOver = true
        if serving && mpi.tryAcquire() {
            handOver = ended || !inFlight.isEmpty || queueStart < queue.count
            mpi.release()
        }
        // Taking the arrivals ended the MPI thread's announcement that it sleeps: announce it
        // again (submitters then ring it), or wake it.
        if handOver || (asleep.load(ordering: .sequentiallyConsistent) && !engine.prepareToSleep(in: phase)) {
            doorbell.set()
        }
    }

    /// Node `index` fell silent (killed, its machine lost) and the MPI runtime let this process
    /// go on: every unfinished task fails with a ``PoolError`` naming the node, the pool
    /// accepts no more, the other nodes are told to terminate. MPI is not finalised (a dead
    /// peer can hang it); the runtime ends the rest of the job.
    func abandon(_ index: Int) {
        ended = true
        let node = nodes[index].name
        let reason = "\(node) was lost (no word from it for \(MPIMessage.silenceLimit))"
        MPIStartup.report("\(reason); failing the pool's tasks and ending its workers")
        actors.lose(rank: nodes[index].rank, reason: reason)
        actors.end("the MPI pool ended: \(reason)")
        let lost = { (label: String) in PoolError.workerCrashed(signal: nil, exitCode: nil, task: "\(label): \(reason)", report: nil) }
        engine.abandon { lost($0) }
        for task in queue[queueStart...] { task.cancel(lost(task.label)) }
        queue.removeAll()
        for (task, _) in inFlight.values { task.fail(lost(task.label)) }
        inFlight.removeAll()
        for (other, entry) in nodes.enumerated() where other != index { try? port.send(MPIMessage(kind: .terminate), to: entry.rank) }
        _ = port.flush(within: .seconds(2))
        engine.finish()
    }
}

/// What the front end knows of one node.
struct MPIFrontEndNode {
    /// Its rank on the front end's communicator.
    let rank: Int32
    /// How errors name it: "rank 2", "spawned worker 0".
    let name: String
    /// Its local worker processes.
    var workers = 1
    /// When it last sent anything.
    var lastHeard = ContinuousClock.now
    /// Tasks sent and not answered yet.
    var inFlight = 0
    /// The task types whose names it was sent.
    var knownTypes: Set<UInt32> = []
}
#endif
