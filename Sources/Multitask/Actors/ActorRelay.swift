/// The far side of an ``ActorRemoteHost``: in the process a transport reaches (an MPI node),
/// one supervised child host process (an ``ActorHost``, started with the program's default
/// method) that takes the calls the transport brings, as bytes, and gives each outcome back as
/// bytes. The actor code runs in that child, never in the transport's process: a crash ends
/// the child, its calls come back as ``ActorSystemError/hostCrashed(exitCode:report:)``, and
/// the host is restarted here with its actors by the policy the caller gave.
package final class ActorRelay: Sendable {
    /// The local host process and its supervision.
    private let host: ActorHost

    /// Starts a host process with the policy and call timeout in `settings` (an
    /// ``ActorRemoteHost/settings``).
    package init(settings: [UInt8]) throws(ActorSystemError) {
        let (policy, callTimeout) = try ActorRelayWire.settings(from: settings)
        host = ActorHost(index: 1, startMethod: nil, policy: policy, callTimeout: callTimeout)
        do {
            try host.start()
        } catch {
            throw .hostUnavailable("its process could not be started: \(error)")
        }
    }

    /// Runs the call in `bytes` (an ``ActorCall``: an invocation, or the creation of an actor,
    /// which the host re-creates after each restart) and hands its outcome's bytes to `reply`,
    /// from another thread.
    package func handle(_ bytes: [UInt8], reply: @escaping @Sendable ([UInt8]) -> Void) {
        let call: ActorCall
        do {
            call = try ActorCall(wireBytes: bytes)
        } catch {
            return reply(ActorRelayWire.bytes(of: .failure(error)))
        }
        let host = host
        Task {
            let outcome: Result<ActorOutcome, any Error>
            switch call.kind {
            case .create: outcome = await host.create(call.actor, typeName: call.target).map { ActorOutcome.void }
            case .invoke: outcome = await host.send(call)
            case .wake: outcome = .success(.void)
            }
            reply(ActorRelayWire.bytes(of: outcome))
        }
    }

    /// The outcome's bytes for a call that could not reach a relay (none was started, or it
    /// could not start): `error`.
    package static func failure(_ error: ActorSystemError) -> [UInt8] {
        ActorRelayWire.bytes(of: .failure(error))
    }

    /// Stops the host process (calls in flight fail with ``ActorSystemError/shutDown``).
    package func stop() {
        host.stop()
    }

    /// Kills the host process with SIGKILL; it is restarted by the policy.
    package func kill() {
        host.kill()
    }
}
