/// What happens when a host process ends: the calls in flight fail with its exit, and the
/// host is restarted with its actors, or declared dead, by the restart policy (OTP's
/// one-for-one supervision with a restart intensity).
extension ActorHost {
    /// The process of `generation` ended (the watch task calls this).
    func ended(_ generation: ActorHostGeneration) {
        let exit = ActorSystemError.hostCrashed(exitCode: generation.process.exitCode ?? -1, report: generation.process.crashReport)
        let outcome = state.withLock { state -> (failed: [Continuation], restart: Bool)? in
            guard state.generation?.number == generation.number else { return nil }
            state.generation = nil
            state.lastExit = exit
            let failed = state.failPending(with: exit)
            guard state.phase == .running else { return (failed, false) }
            let now = Deadline.now.nanoseconds
            state.restarts.removeAll { $0 + policy.windowNanoseconds < now }
            if state.restarts.count < policy.maxRestarts {
                state.restarts.append(now)
                state.phase = .restarting
                return (failed, true)
            }
            state.phase = .dead
            return (failed, false)
        }
        guard let outcome else { return }
        for continuation in outcome.failed { continuation.resume(returning: .failure(exit)) }
        generation.retire(grace: .zero)
        if outcome.restart { restart(after: generation.number) }
    }

    /// Starts a new process and re-creates the actors there (their creations go first on the
    /// new calls queue, so every later call finds its actor).
    private func restart(after number: Int) {
        let started: ActorHostGeneration
        do {
            started = try ActorHostGeneration.start(for: self, number: number + 1)
        } catch {
            state.withLock { if $0.phase == .restarting { $0.phase = .dead } }
            return
        }
        let installed = state.withLock { state -> Bool in
            guard state.phase == .restarting else { return false }
            for actor in state.actors {
                try? started.calls.put(ActorCall(kind: .create, callID: 0, actor: actor.id, target: actor.typeName, generics: [], arguments: []).wireBytes)
            }
            state.generation = started
            state.phase = .running
            return true
        }
        if !installed { started.retire(grace: .seconds(2)) }
    }

    /// Stops the host for good: its calls in flight throw ``ActorSystemError/shutDown``, its
    /// process is asked to end (and killed if it does not within 2 seconds) and reaped.
    func stop() {
        let (generation, failed) = state.withLock { state in
            state.phase = .stopped
            defer { state.generation = nil }
            return (state.generation, state.failPending(with: ActorSystemError.shutDown))
        }
        for continuation in failed { continuation.resume(returning: .failure(ActorSystemError.shutDown)) }
        generation?.retire(grace: .seconds(2))
    }

    /// Fails the calls whose deadline passed with ``ActorSystemError/callTimedOut(_:)``;
    /// returns whether there were any (their host is then killed).
    func failCallsPastDeadline() -> Bool {
        let now = Deadline.now
        let timeout = callTimeout ?? .zero
        let expired = state.withLock { state in
            state.failPending(with: ActorSystemError.callTimedOut(timeout)) { $0.deadline.map { $0 < now } == true }
        }
        for continuation in expired { continuation.resume(returning: .failure(ActorSystemError.callTimedOut(timeout))) }
        return !expired.isEmpty
    }
}

extension ActorHost.State {
    /// Fails the pending calls `selected` picks (all by default) with `error`: removes those
    /// whose callers wait suspended and returns their continuations (to resume outside the
    /// lock); leaves the failure for those whose callers linger and have no outcome yet.
    mutating func failPending(with error: any Error, selected: (ActorHost.Pending) -> Bool = { _ in true }) -> [ActorHost.Continuation] {
        var suspendedCallers: [ActorHost.Continuation] = []
        for (id, var call) in pending where call.outcome == nil && selected(call) {
            if let continuation = call.continuation {
                suspendedCallers.append(continuation)
                pending[id] = nil
                removeWaiter(call)
            } else {
                call.outcome = .failure(error)
                pending[id] = call
            }
        }
        return suspendedCallers
    }

    /// `call`, whose caller waited suspended, is answered: one fewer waits for its reader.
    mutating func removeWaiter(_ call: ActorHost.Pending) {
        if call.readByExecutor { suspendedOnExecutor -= 1 } else { suspended -= 1 }
    }
}
