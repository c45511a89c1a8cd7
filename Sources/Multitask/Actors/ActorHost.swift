/// The caller's side of one host process of a ``ProcessActorSystem``: the calls in flight,
/// the actors it holds (to re-create them after a restart), the current generation (one
/// process and its queues) and the supervision state.
final class ActorHost: Sendable {
    /// Whether the host serves calls.
    enum Phase {
        /// Its process runs (or is being started for the first time).
        case running
        /// Its process died and a new one is being started: calls fail at once.
        case restarting
        /// It died beyond its restart policy: its actors are dead.
        case dead
        /// The system was shut down.
        case stopped
    }

    /// Where a suspended caller waits for its call's outcome.
    typealias Continuation = UnsafeContinuation<Result<ActorOutcome, any Error>, Never>

    /// A call waiting for its reply.
    struct Pending {
        /// Where the caller waits; nil while it lingers, reading the replies itself (see
        /// ``send(_:)``).
        var continuation: Continuation?
        /// When the call times out (nil: no call timeout).
        let deadline: Deadline?
        /// The outcome that came (a reply the reader took, or a failure) while the caller
        /// lingered.
        var outcome: Result<ActorOutcome, any Error>?
        /// Whether its caller waits suspended on the system's ``ActorCallerExecutor``, whose
        /// thread reads its reply (until it hands the reading back to the reader).
        var readByExecutor = false
    }

    /// Everything about the host that changes, under one lock.
    struct State {
        /// Whether it serves calls.
        var phase = Phase.running
        /// The current process and its queues (nil while none runs).
        var generation: ActorHostGeneration?
        /// Calls sent and not answered, by call ID.
        var pending: [UInt64: Pending] = [:]
        /// How many of them wait suspended (with a continuation) for the reader: while there
        /// are any, the reader reads the replies queue.
        var suspended = 0
        /// How many of them wait suspended on the caller executor, whose thread reads their
        /// replies (see ``Pending/readByExecutor``).
        var suspendedOnExecutor = 0
        /// Whether a caller alone in flight lingers for its reply.
        var linger = ActorLingerBudget()
        /// How many calls in a row found no other call in flight when sent (up to
        /// ``ActorHost/soloStreakToLinger``): a caller lingers only after such a streak, since
        /// one concurrent caller suspended or waiting for a cooperative thread looks alone
        /// for a moment.
        var soloStreak = 0
        /// The ID of the next call.
        var nextCallID: UInt64 = 1
        /// The actors it holds, with their type's mangled name, in creation order.
        var actors: [(id: ProcessActorID, typeName: String)] = []
        /// When the restarts within the policy's window happened (monotonic nanoseconds).
        var restarts: [Int64] = []
        /// How the last process ended (exit code, crash report).
        var lastExit: ActorSystemError?
    }

    /// How many calls in a row must have been alone in flight before a caller lingers.
    static var soloStreakToLinger: Int { 8 }

    /// The host's number in its system (the `host` of its actors' IDs).
    let index: UInt32
    /// How its processes start (nil: the program default).
    let startMethod: StartMethod?
    /// When it is restarted.
    let policy: ActorRestartPolicy
    /// How long a call waits for its reply (nil: no limit).
    let callTimeout: Duration?
    /// The system's caller executor: callers running there wait for its thread to read their
    /// replies, not for the reader (nil: every caller waits for the reader).
    let callerExecutor: ActorCallerExecutor?
    /// What changes.
    let state = LockedBox(State())

    /// A host that has no process yet (see ``start()``).
    init(index: UInt32, startMethod: StartMethod?, policy: ActorRestartPolicy, callTimeout: Duration?, callerExecutor: ActorCallerExecutor? = nil) {
        self.index = index
        self.startMethod = startMethod
        self.policy = policy
        self.callTimeout = callTimeout
        self.callerExecutor = callerExecutor
    }

    /// Starts the first process.
    func start() throws {
        let generation = try ActorHostGeneration.start(for: self, number: 1)
        state.withLock { $0.generation = generation }
    }

    /// Sends `call` and waits for its outcome (a failure when the host is down or dies first).
    ///
    /// A call alone in flight lingers first: its caller reads the replies queue itself for a
    /// moment (``ActorLinger``), so a quick reply resumes it with no thread hop and no
    /// wake-up of the reader or of a sleeping cooperative thread; concurrent calls suspend
    /// at once and leave their CPU to other callers.
    func send(_ call: ActorCall) async -> Result<ActorOutcome, any Error> {
        let sent = submit(call)
        guard case .success(let (callID, generation, lingers)) = sent else { return sent.map { _ in .void } }
        if lingers {
            let outcome = linger(for: callID, on: generation.replies)
            state.withLock { $0.linger.record(hit: outcome != nil) }
            if let outcome { return outcome }
        }
        return await withUnsafeContinuation { continuation in suspend(callID, continuation, waking: generation) }
    }

    /// Creates actor `id` of the type named `typeName` in the host, now and after every restart.
    func create(_ id: ProcessActorID, typeName: String) async -> Result<Void, any Error> {
        state.withLock { $0.actors.append((id, typeName)) }
        let created = await send(ActorCall(kind: .create, callID: 0, actor: id, target: typeName, generics: [], arguments: []))
        let failure: (any Error)?
        switch created {
        case .success(.thrown(let thrown)): failure = thrown.error
        case .success: failure = nil
        case .failure(let error): failure = error
        }
        guard let failure else { return .success(()) }
        state.withLock { $0.actors.removeAll { $0.id == id } }
        return .failure(failure)
    }

    /// Throws if actor `id` of this host can no longer be reached.
    func checkResolvable(_ id: ProcessActorID) throws(ActorSystemError) {
        let (phase, known) = state.withLock { ($0.phase, $0.actors.contains { $0.id == id }) }
        guard known else { throw .unknownActor(id) }
        if phase == .dead { throw .actorDead(id) }
        if phase == .stopped { throw .shutDown }
    }

    /// Registers the call and puts it on the current calls queue: its ID, the generation it
    /// went to and whether its caller lingers (it is the only call in flight), or why it
    /// failed.
    private func submit(_ call: ActorCall) -> Result<(UInt64, ActorHostGeneration, Bool), any Error> {
        var call = call
        let admitted = state.withLock { state -> Result<(ActorHostGeneration, Bool), ActorSystemError> in
            switch state.phase {
            case .dead: return .failure(.actorDead(call.actor))
            case .stopped: return .failure(.shutDown)
            case .restarting: return .failure(state.lastExit ?? .hostUnavailable("it is restarting"))
            case .running: break
            }
            guard let generation = state.generation else { return .failure(.hostUnavailable("it is starting")) }
            call.callID = state.nextCallID
            state.nextCallID += 1
            state.pending[call.callID] = Pending(continuation: nil, deadline: callTimeout.map { Deadline.after($0) })
            state.soloStreak = state.pending.count == 1 ? min(state.soloStreak + 1, Self.soloStreakToLinger) : 0
            return .success((generation, state.soloStreak == Self.soloStreakToLinger && state.linger.admits()))
        }
        switch admitted {
        case .failure(let error):
            return .failure(error)
        case .success(let (generation, lingers)):
            if !lingers, let executor = callerExecutor, executor.isCurrent {
                // Sent with the other calls its jobs make (if the queue is shut down first,
                // the crash or stop that did it fails the call, registered by now).
                executor.send(call.wireBytes, on: generation.calls, to: self)
                return .success((call.callID, generation, lingers))
            }
            do {
                try generation.calls.put(call.wireBytes)
                return .success((call.callID, generation, lingers))
            } catch {
                // The queue was shut down by a crash or a stop, which may have failed the
                // call already (with the exit); otherwise it fails here.
                return .failure(state.withLock { state -> any Error in
                    if case .failure(let failure)? = state.pending.removeValue(forKey: call.callID)?.outcome { return failure }
                    return state.lastExit ?? ActorSystemError.transport("the call cannot be sent: \(error)")
                })
            }
        }
    }

    /// The caller of `callID` stops lingering and waits: resumed now if its outcome came
    /// meanwhile, else when it comes (the reader of `generation` is told that a caller waits,
    /// or, for a caller on the caller executor, its thread).
    private func suspend(_ callID: UInt64, _ continuation: Continuation, waking generation: ActorHostGeneration) {
        let executor = callerExecutor.flatMap { $0.isCurrent ? $0 : nil }
        let ready = state.withLock { state -> Result<ActorOutcome, any Error>? in
            guard var pending = state.pending[callID] else { return .failure(ActorSystemError.transport("the call was lost")) }
            if let outcome = pending.outcome {
                state.pending[callID] = nil
                return outcome
            }
            pending.continuation = continuation
            pending.readByExecutor = executor != nil
            state.pending[callID] = pending
            if executor != nil { state.suspendedOnExecutor += 1 } else { state.suspended += 1 }
            return nil
        }
        if let ready { return continuation.resume(returning: ready) }
        if let executor {
            executor.watch(self, replies: generation.replies, generation: generation.number)
        } else {
            generation.callersWait.set()
        }
    }

    /// Resumes the calls the replies answer, or leaves an outcome for its lingering caller (a
    /// reply nobody waits for, such as a re-creation's, is dropped).
    func deliver(_ replies: [ActorReply]) {
        var resumed: [(Continuation, ActorOutcome)] = []
        resumed.reserveCapacity(replies.count)
        state.withLock { state in
            var executorCallers = false
            for reply in replies {
                guard var pending = state.pending[reply.callID] else { continue }
                guard let continuation = pending.continuation else {
                    pending.outcome = .success(reply.outcome)
                    state.pending[reply.callID] = pending
                    continue
                }
                state.pending[reply.callID] = nil
                state.removeWaiter(pending)
                executorCallers = executorCallers || pending.readByExecutor
                resumed.append((continuation, reply.outcome))
            }
            // The reader stays on the replies queue while calls come from several callers: a
            // flag lowered after each batch was raised again by the next caller to suspend, a
            // wake-up of the reader per batch on top of the host's. It is lowered only for
            // callers that read the replies themselves: one that lingers (a caller that
            // suspended just before may have raised it late), and those on the caller
            // executor, whose next calls its thread reads.
            if state.suspended == 0 && (state.soloStreak == Self.soloStreakToLinger || executorCallers) { state.generation?.callersWait.clear() }
        }
        for (continuation, outcome) in resumed { continuation.resume(returning: .success(outcome)) }
    }
}

extension ActorHost {
    /// Kills the current process with SIGKILL (a crash, as far as supervision is concerned).
    func kill() {
        state.withLock { $0.generation?.process }?.kill()
    }
}
