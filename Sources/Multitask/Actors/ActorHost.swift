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

    /// A call waiting for its reply.
    struct Pending {
        /// Where the caller waits.
        let continuation: UnsafeContinuation<Result<ActorOutcome, any Error>, Never>
        /// When the call times out (nil: no call timeout).
        let deadline: Deadline?
    }

    /// Everything about the host that changes, under one lock.
    struct State {
        /// Whether it serves calls.
        var phase = Phase.running
        /// The current process and its queues (nil while none runs).
        var generation: ActorHostGeneration?
        /// Calls sent and not answered, by call ID.
        var pending: [UInt64: Pending] = [:]
        /// The ID of the next call.
        var nextCallID: UInt64 = 1
        /// The actors it holds, with their type's mangled name, in creation order.
        var actors: [(id: ProcessActorID, typeName: String)] = []
        /// When the restarts within the policy's window happened (monotonic nanoseconds).
        var restarts: [Int64] = []
        /// How the last process ended (exit code, crash report).
        var lastExit: ActorSystemError?
    }

    /// The host's number in its system (the `host` of its actors' IDs).
    let index: UInt32
    /// How its processes start (nil: the program default).
    let startMethod: StartMethod?
    /// When it is restarted.
    let policy: ActorRestartPolicy
    /// How long a call waits for its reply (nil: no limit).
    let callTimeout: Duration?
    /// What changes.
    let state = LockedBox(State())

    /// A host that has no process yet (see ``start()``).
    init(index: UInt32, startMethod: StartMethod?, policy: ActorRestartPolicy, callTimeout: Duration?) {
        self.index = index
        self.startMethod = startMethod
        self.policy = policy
        self.callTimeout = callTimeout
    }

    /// Starts the first process.
    func start() throws {
        let generation = try ActorHostGeneration.start(for: self, number: 1)
        state.withLock { $0.generation = generation }
    }

    /// Sends `call` and waits for its outcome (a failure when the host is down or dies first).
    func send(_ call: ActorCall) async -> Result<ActorOutcome, any Error> {
        await withUnsafeContinuation { continuation in submit(call, continuation) }
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

    /// Registers the continuation and puts the call on the current calls queue.
    private func submit(_ call: ActorCall, _ continuation: UnsafeContinuation<Result<ActorOutcome, any Error>, Never>) {
        var call = call
        let admitted = state.withLock { state -> Result<Queue<ActorCall>, ActorSystemError> in
            switch state.phase {
            case .dead: return .failure(.actorDead(call.actor))
            case .stopped: return .failure(.shutDown)
            case .restarting: return .failure(state.lastExit ?? .hostUnavailable("it is restarting"))
            case .running: break
            }
            guard let generation = state.generation else { return .failure(.hostUnavailable("it is starting")) }
            call.callID = state.nextCallID
            state.nextCallID += 1
            state.pending[call.callID] = Pending(continuation: continuation, deadline: callTimeout.map { Deadline.after($0) })
            return .success(generation.calls)
        }
        switch admitted {
        case .failure(let error):
            continuation.resume(returning: .failure(error))
        case .success(let calls):
            do {
                try calls.put(call)
            } catch {
                // The queue was shut down by a crash or a stop, which may have failed the
                // call already; otherwise it fails here.
                let failed = state.withLock { state -> (Pending, ActorSystemError)? in
                    guard let pending = state.pending.removeValue(forKey: call.callID) else { return nil }
                    return (pending, state.lastExit ?? .transport("the call cannot be sent: \(error)"))
                }
                if let (pending, error) = failed { pending.continuation.resume(returning: .failure(error)) }
            }
        }
    }

    /// Resumes the call a reply answers (a reply nobody waits for, such as a re-creation's,
    /// is dropped).
    func deliver(_ reply: ActorReply) {
        let pending = state.withLock { $0.pending.removeValue(forKey: reply.callID) }
        pending?.continuation.resume(returning: .success(reply.outcome))
    }
}

extension ActorHost {
    /// Kills the current process with SIGKILL (a crash, as far as supervision is concerned).
    func kill() {
        state.withLock { $0.generation?.process }?.kill()
    }
}
