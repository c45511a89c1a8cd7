import Distributed

// Why the calls await a non-throwing function and throw afterwards: with Swift 6.3.1, a
// release build dropped values that a caller stored before awaiting an `async throws` callee
// (see `Pool/PoolConcurrency.swift`). `remoteCall` itself is called by the distributed thunk;
// what it awaits, `deliver`, cannot throw, and the outcome is turned into a value or an error
// synchronously (`ActorCallPatternTests` checks the user-side shapes in CI's release run).
extension ProcessActorSystem {
    /// Sends a call to the host of `actor` and returns the value it replied with.
    public func remoteCall<Act, Err, Res>(
        on actor: Act, target: RemoteCallTarget, invocation: inout ActorInvocationEncoder,
        throwing: Err.Type, returning: Res.Type
    ) async throws -> Res where Act: DistributedActor, Act.ID == ProcessActorID, Err: Error, Res: Codable {
        let outcome = await deliver(to: actor.id, target: target, invocation: invocation)
        return try Self.value(of: outcome, as: Res.self)
    }

    /// Sends a call to the host of `actor` and waits for it to return.
    public func remoteCallVoid<Act, Err>(
        on actor: Act, target: RemoteCallTarget, invocation: inout ActorInvocationEncoder,
        throwing: Err.Type
    ) async throws where Act: DistributedActor, Act.ID == ProcessActorID, Err: Error {
        let outcome = await deliver(to: actor.id, target: target, invocation: invocation)
        _ = try Self.value(of: outcome, as: ActorVoid.self)
    }

    /// The call to actor `id`, sent to its host, and its outcome.
    func deliver(to id: ProcessActorID, target: RemoteCallTarget, invocation: ActorInvocationEncoder) async -> Result<ActorOutcome, any Error> {
        if let failure = invocation.failure { return .failure(failure) }
        if id.host == ProcessActorID.hostLoopback {
            return await loopbackCall(ActorCall(kind: .invoke, callID: 1, actor: id, target: target.identifier, generics: invocation.generics, arguments: invocation.arguments))
        }
        guard let host = registry.withLock({ $0.hosts[id.host] }) else { return .failure(ActorSystemError.unknownActor(id)) }
        let call = ActorCall(kind: .invoke, callID: 0, actor: id, target: target.identifier, generics: invocation.generics, arguments: invocation.arguments)
        return await host.send(call)
    }

    /// The value an outcome carries, or the error it stands for.
    static func value<Res: Codable>(of outcome: Result<ActorOutcome, any Error>, as type: Res.Type) throws -> Res {
        switch try outcome.get() {
        case .value(let bytes):
            do {
                return try BinaryDecoder().decode(Res.self, from: bytes)
            } catch {
                throw ActorSystemError.transport("the reply cannot be decoded as \(Res.self): \(error)")
            }
        case .void:
            guard let none = ActorVoid() as? Res else { throw ActorSystemError.transport("the host returned nothing, \(Res.self) expected") }
            return none
        case .thrown(let thrown):
            throw thrown.error
        }
    }

    /// Creates an actor of `type` in the host `placement` names, and returns its ID.
    func place(_ type: any HostableActor.Type, at placement: ActorPlacement) async -> Result<ProcessActorID, any Error> {
        let name: String
        switch EntryType.name(of: type) {
        case .success(let found): name = found
        case .failure(let why): return .failure(ActorSystemError.hostUnavailable("\(why)"))
        }
        if case .loopback = placement.kind { return .success(placeLoopback(type)) }
        let host: any ActorHostEndpoint
        switch hostFor(placement) {
        case .success(let found): host = found
        case .failure(let error): return .failure(error)
        }
        let id = registry.withLock { registry in
            defer { registry.nextSerial += 1 }
            return ProcessActorID(host: host.index, serial: registry.nextSerial)
        }
        return await host.create(id, typeName: name).map { id }
    }

    /// The host `placement` names: a new one, started now, or an existing actor's.
    private func hostFor(_ placement: ActorPlacement) -> Result<any ActorHostEndpoint, any Error> {
        switch placement.kind {
        case .local, .loopback:
            return .failure(ActorSystemError.hostUnavailable("an actor of this process has no host process"))
        case .alongside(let id):
            guard let host = registry.withLock({ $0.hosts[id.host] }) else { return .failure(ActorSystemError.unknownActor(id)) }
            return .success(host)
        case .newHost(let method):
            guard let host = registerHost({ ActorHost(index: $0, startMethod: method, policy: restartPolicy, callTimeout: callTimeout, callerExecutor: callerExecutor) }) else {
                return .failure(ActorSystemError.shutDown)
            }
            do {
                try host.start()
            } catch {
                return .failure(ActorSystemError.hostUnavailable("its process could not be started: \(error)"))
            }
            return .success(host)
        case .remote(let hosting):
            return remoteHost(on: hosting)
        }
    }
}

/// What a `Void` method's reply decodes to.
struct ActorVoid: Codable {}
