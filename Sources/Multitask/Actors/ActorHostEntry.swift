import Distributed

/// The work of a host process: serve the calls of the parent's ``ProcessActorSystem`` to the
/// actors created here, on one thread, until the calls queue is shut down.
struct ActorHostEntry: ProcessEntry {
    /// Calls in: creations and invocations, from the parent.
    var calls: Queue<ActorCall>
    /// Replies out, to the parent's reader thread.
    var replies: Queue<ActorReply>

    /// Serves calls until the calls queue is shut down (the parent stops or replaces us).
    func run() throws {
        let calls = calls
        let system = ProcessActorSystem(hostReplies: replies)
        let executor = ActorHostExecutor(wakeUp: { _ = try? calls.tryPut(.wake) })
        while true {
            executor.runQueuedJobs()
            let call: ActorCall
            do {
                call = try ActorLinger.next(of: calls) { () throws(QueueError) in try calls.get() }
            } catch {
                return
            }
            executor.loopWillRun()
            switch call.kind {
            case .wake: continue
            case .create: create(call, in: system)
            case .invoke:
                Task(executorPreference: executor) { await Self.invoke(call, in: system, replies: replies) }
            }
        }
    }

    /// Creates the actor a `.create` call names, under the ID the parent chose.
    private func create(_ call: ActorCall, in system: ProcessActorSystem) {
        let handler = ActorResultHandler(callID: call.callID, replies: replies)
        guard let type = _typeByName(call.target) as? any HostableActor.Type else {
            handler.send(.thrown(ActorThrownError(ActorSystemError.hostUnavailable("\(call.target) names no HostableActor type in the host process"))))
            return
        }
        system.host(type, as: call.actor)
        handler.send(.void)
    }

    /// Runs a distributed method and sends its outcome.
    private static func invoke(_ call: ActorCall, in system: ProcessActorSystem, replies: Queue<ActorReply>) async {
        let handler = ActorResultHandler(callID: call.callID, replies: replies)
        guard let actor = system.hostedActor(call.actor) else {
            handler.send(.thrown(ActorThrownError(ActorSystemError.unknownActor(call.actor))))
            return
        }
        var decoder = ActorInvocationDecoder(call)
        do {
            try await system.executeDistributedTarget(on: actor, target: RemoteCallTarget(call.target), invocationDecoder: &decoder, handler: handler)
        } catch {
            handler.send(.thrown(ActorThrownError(ActorSystemError.transport("\(error)"))))
        }
    }
}
