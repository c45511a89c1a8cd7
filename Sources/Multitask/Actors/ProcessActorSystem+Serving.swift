import Distributed

/// Running calls on the actors this process serves: a host process's (for its parent), and
/// the loopback actors a system calls through its own remote-call path.
extension ProcessActorSystem {
    /// Runs the distributed method `call` names on the actor this process serves, and sends
    /// its outcome to `outbox`: through the target's ``ActorTargetPlan`` when it has one, else
    /// through the toolchain's `executeDistributedTarget` (always, when not `planned`: the
    /// tests compare the two).
    func execute(_ call: ActorCall, replyingTo outbox: ActorReplyOutbox, planned: Bool = true) async {
        let handler = ActorResultHandler(callID: call.callID, outbox: outbox)
        guard let actor = hostedActor(call.actor) else {
            handler.send(.thrown(ActorThrownError(ActorSystemError.unknownActor(call.actor))))
            return
        }
        var decoder = ActorInvocationDecoder(call)
        do {
            if planned, let plan = plan(of: call.target) {
                try await execute(plan, on: actor, decoder: &decoder, handler: handler)
            } else {
                try await executeDistributedTarget(on: actor, target: RemoteCallTarget(call.target), invocationDecoder: &decoder, handler: handler)
            }
        } catch {
            handler.send(.thrown(ActorThrownError(ActorSystemError.transport("\(error)"))))
        }
    }

    // MARK: Loopback

    /// Creates an actor of `type` in this process that is called through the remote-call
    /// path (see ``ActorPlacement/loopback``), and returns its ID.
    func placeLoopback(_ type: any HostableActor.Type) -> ProcessActorID {
        let id = registry.withLock { registry in
            defer { registry.nextSerial += 1 }
            return ProcessActorID(host: ProcessActorID.hostLoopback, serial: registry.nextSerial)
        }
        host(type, as: id)
        return id
    }

    /// A call to a loopback actor, as a host process would serve it: the call's bytes read
    /// back, the method run with `executeDistributedTarget` in this task, and the reply's
    /// bytes read back — everything but the queues and the other process.
    func loopbackCall(_ call: ActorCall) async -> Result<ActorOutcome, any Error> {
        let received: ActorCall
        do {
            received = try ActorCall(wireBytes: call.wireBytes)
        } catch {
            return .failure(error)
        }
        let outbox = ActorReplyOutbox(replies: nil)
        await execute(received, replyingTo: outbox)
        guard let reply = outbox.take().first else { return .failure(ActorSystemError.transport("the loopback call made no reply")) }
        do {
            return .success(try ActorReply(wireBytes: reply.wireBytes()).outcome)
        } catch {
            return .failure(error)
        }
    }
}
