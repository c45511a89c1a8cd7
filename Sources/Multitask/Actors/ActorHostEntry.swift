/// The work of a host process: serve the calls of the parent's ``ProcessActorSystem`` to the
/// actors created here, on one thread, until the calls queue is shut down.
struct ActorHostEntry: ProcessEntry {
    /// Calls in: creations and invocations, from the parent (each as its bytes).
    var calls: Queue<[UInt8]>
    /// Replies out, to the parent's reader thread (in batches).
    var replies: Queue<[UInt8]>

    /// Serves calls until the calls queue is shut down (the parent stops or replaces us).
    ///
    /// Each wake-up serves every call that has arrived (their tasks start, then their jobs
    /// run), so concurrent callers share it; after a wake-up that served calls, the loop
    /// lingers for the next one (``ActorLinger``, as its budget admits): a sequential caller
    /// sends it a moment later, and concurrent callers send theirs as their replies resume
    /// them. (Sleeping instead, the host was woken for nearly every batch of concurrent calls,
    /// and the wake-up of an idle vCPU took longer than the batch's work: 8 callers made 0.75
    /// context switches per call and 85–90 k calls/s, against 200 k for 1 lingering caller.)
    func run() throws {
        let calls = calls
        let system = ProcessActorSystem(hostReplies: replies)
        let outbox = ActorReplyOutbox(replies: replies)
        let wake = ActorCall.wake.wireBytes
        let executor = ActorHostExecutor(wakeUp: { _ = try? calls.tryPut(wake) })
        var budget = ActorLingerBudget()
        var lingers = false
        while true {
            executor.runQueuedJobs { outbox.flushIfHeldLong() }
            outbox.flush()
            var bytes: [UInt8]
            do {
                bytes = try next(lingering: lingers, budget: &budget)
            } catch {
                return
            }
            executor.loopWillRun()
            outbox.loopWillServe()
            var served = 0
            while true {
                // Bytes that do not read as a call end the host: the parent then fails the
                // calls in flight with the host's loss instead of leaving a caller waiting for
                // a reply to bytes nobody could read.
                guard let call = try? ActorCall(wireBytes: bytes) else { return }
                if serve(call, in: system, executor: executor, outbox: outbox) { served += 1 }
                guard !calls.isEmpty, let more = try? calls.tryGet() else { break }
                bytes = more
            }
            lingers = served >= 1
        }
    }

    /// The next call's bytes: looked for during the linger window first when `lingering` and
    /// the `budget` admits it (which learns whether one came), then waited for. Throws when the
    /// calls queue is shut down.
    private func next(lingering: Bool, budget: inout ActorLingerBudget) throws(QueueError) -> [UInt8] {
        if lingering, budget.admits() {
            let bytes = try ActorLinger.poll(calls)
            budget.record(hit: bytes != nil)
            if let bytes { return bytes }
        }
        return try calls.get()
    }

    /// Starts `call` (a task on the loop's executor for an invocation); whether it was a call
    /// rather than a wake-up.
    private func serve(_ call: ActorCall, in system: ProcessActorSystem, executor: ActorHostExecutor, outbox: ActorReplyOutbox) -> Bool {
        switch call.kind {
        case .wake:
            return false
        case .create:
            create(call, in: system, outbox: outbox)
        case .invoke:
            Task(executorPreference: executor) { await system.execute(call, replyingTo: outbox) }
        }
        return true
    }

    /// Creates the actor a `.create` call names, under the ID the parent chose.
    private func create(_ call: ActorCall, in system: ProcessActorSystem, outbox: ActorReplyOutbox) {
        let handler = ActorResultHandler(callID: call.callID, outbox: outbox)
        guard let type = _typeByName(call.target) as? any HostableActor.Type else {
            handler.send(.thrown(ActorThrownError(ActorSystemError.hostUnavailable("\(call.target) names no HostableActor type in the host process"))))
            return
        }
        system.host(type, as: call.actor)
        handler.send(.void)
    }
}
