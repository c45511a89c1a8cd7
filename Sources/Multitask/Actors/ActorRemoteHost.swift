/// The caller's side of a host placed elsewhere by an ``ActorRemoteHosting`` transport (an
/// MPI rank): the calls in flight and the actors it holds. Supervision runs on the far side
/// (its ``ActorRelay`` restarts the host process there by the policy given in ``settings``),
/// so a crash comes back as the outcome of each call it failed:
/// ``ActorSystemError/hostCrashed(exitCode:report:)`` as a local host's would. A lost
/// transport (the rank died) fails every call in flight, and every later one, with
/// ``ActorSystemError/hostUnavailable(_:)`` naming the place.
package final class ActorRemoteHost: Sendable {
    /// Whether the host serves calls.
    enum Phase {
        /// The transport carries its calls.
        case running
        /// The transport lost the place: why.
        case lost(String)
        /// The system was shut down.
        case stopped
    }

    /// Everything that changes, under one lock.
    struct State {
        /// Whether it serves calls.
        var phase = Phase.running
        /// Calls sent and not answered, by call ID.
        var pending: [UInt64: UnsafeContinuation<Result<ActorOutcome, any Error>, Never>] = [:]
        /// The ID of the next call.
        var nextCallID: UInt64 = 1
        /// The actors it holds.
        var actors: Set<ProcessActorID> = []
    }

    /// The host's number in its system.
    package let index: UInt32
    /// The restart policy and call timeout of the far host, as bytes for its ``ActorRelay``.
    package let settings: [UInt8]
    /// The transport.
    let hosting: any ActorRemoteHosting
    /// What changes.
    let state = LockedBox(State())

    /// A host numbered `index`, placed by `hosting` and supervised there by `policy`, whose
    /// calls time out there after `callTimeout`. Not started: see `ActorRemoteHosting.open`.
    init(index: UInt32, hosting: any ActorRemoteHosting, policy: ActorRestartPolicy, callTimeout: Duration?) {
        self.index = index
        self.hosting = hosting
        self.settings = ActorRelayWire.settings(policy: policy, callTimeout: callTimeout)
    }

    /// The outcome of call `callID`, as the far side's relay encoded it, has come.
    package func deliver(callID: UInt64, outcome bytes: [UInt8]) {
        guard let continuation = state.withLock({ $0.pending.removeValue(forKey: callID) }) else { return }
        continuation.resume(returning: ActorRelayWire.outcome(from: bytes))
    }

    /// The transport lost the place (`reason` names it): the calls in flight fail, and so does
    /// every later one.
    package func lose(_ reason: String) {
        failPending(with: .hostUnavailable(reason)) { phase in
            if case .running = phase { phase = .lost(reason) }
        }
    }

    /// Ends every call in flight with `error`, after `update` changed the phase (under the
    /// lock, so that no call is admitted between the two).
    private func failPending(with error: ActorSystemError, update: (inout Phase) -> Void) {
        let failed = state.withLock { state in
            update(&state.phase)
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for continuation in failed { continuation.resume(returning: .failure(error)) }
    }
}

extension ActorRemoteHost: ActorHostEndpoint {
    /// Sends `call` over the transport and waits for its outcome.
    func send(_ call: ActorCall) async -> Result<ActorOutcome, any Error> {
        await withUnsafeContinuation { continuation in
            var call = call
            let admitted = state.withLock { state -> ActorSystemError? in
                switch state.phase {
                case .lost(let reason): return .hostUnavailable(reason)
                case .stopped: return .shutDown
                case .running: break
                }
                call.callID = state.nextCallID
                state.nextCallID += 1
                state.pending[call.callID] = continuation
                return nil
            }
            if let admitted { return continuation.resume(returning: .failure(admitted)) }
            hosting.send(call.wireBytes, callID: call.callID, from: self)
        }
    }

    /// Creates actor `id` on the far host (its relay re-creates it after each restart there).
    func create(_ id: ProcessActorID, typeName: String) async -> Result<Void, any Error> {
        let created = await send(ActorCall(kind: .create, callID: 0, actor: id, target: typeName, generics: [], arguments: []))
        switch created {
        case .success(.thrown(let thrown)): return .failure(thrown.error)
        case .failure(let error): return .failure(error)
        case .success:
            state.withLock { _ = $0.actors.insert(id) }
            return .success(())
        }
    }

    /// Throws if actor `id` of this host can no longer be reached.
    func checkResolvable(_ id: ProcessActorID) throws(ActorSystemError) {
        let (phase, known) = state.withLock { ($0.phase, $0.actors.contains(id)) }
        guard known else { throw .unknownActor(id) }
        switch phase {
        case .running: return
        case .lost(let reason): throw .hostUnavailable(reason)
        case .stopped: throw .shutDown
        }
    }

    /// Stops the far host (also after a loss: the far side may still run it); the calls in
    /// flight throw ``ActorSystemError/shutDown``.
    func stop() {
        failPending(with: .shutDown) { $0 = .stopped }
        hosting.close(self)
    }

    /// Kills the far host's process (its supervisor there restarts it by the policy).
    func kill() {
        hosting.kill(self)
    }
}
