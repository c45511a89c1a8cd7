import Distributed
import Glibc
import Testing
@testable import Multitask

/// A transport that carries the bytes of remote hosts to ``ActorRelay``s in this process: the
/// path an MPI node takes (caller's ``ActorRemoteHost`` → bytes → relay → a supervised local
/// host process → outcome bytes → caller), without MPI.
final class LoopbackHosting: ActorRemoteHosting {
    /// The relays, by host.
    let relays = LockedBox<[ObjectIdentifier: ActorRelay]>([:])
    /// Set when the "connection" is lost: calls are dropped, as a dead peer drops them.
    let isLost = LockedBox(false)

    func open(_ host: ActorRemoteHost) throws(ActorSystemError) {
        let relay = try ActorRelay(settings: host.settings)
        relays.withLock { $0[ObjectIdentifier(host)] = relay }
    }

    func send(_ call: [UInt8], callID: UInt64, from host: ActorRemoteHost) {
        guard !isLost.withLock({ $0 }), let relay = relays.withLock({ $0[ObjectIdentifier(host)] }) else { return }
        relay.handle(call) { [weak host] outcome in host?.deliver(callID: callID, outcome: outcome) }
    }

    func close(_ host: ActorRemoteHost) {
        relays.withLock { $0.removeValue(forKey: ObjectIdentifier(host)) }?.stop()
    }

    func kill(_ host: ActorRemoteHost) {
        relays.withLock { $0[ObjectIdentifier(host)] }?.kill()
    }
}

@Suite("ProcessActorSystem: hosts placed by a transport (ActorRemoteHost and ActorRelay)", .serialized, .timeLimit(.minutes(2)))
struct ActorRelayTests {
    @Test("calls, a generic method and a thrown error cross the relay's bytes; the actor runs in the relay's child")
    func roundTrip() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: .remote(LoopbackHosting()), using: system)
            #expect(try await calculator.add(2, 3) == 5)
            #expect(try await calculator.pid() != getpid())
            #expect(try await calculator.echo(ActorTestPoint(x: 1, y: 2.5)) == ActorTestPoint(x: 1, y: 2.5))
            await #expect(throws: ParseFailure(position: 0, reason: "not a number: x")) { try await calculator.parse("x") }
            let alongside = try await Calculator.spawn(in: .alongside(calculator.id), using: system)
            #expect(try await alongside.pid() == calculator.pid())
        }
    }

    @Test("a trap in the relay's host: the calls in flight throw hostCrashed with the report; the relay restarts it")
    func trapAcrossTheRelay() async throws {
        try await withActorSystem(restartPolicy: .oneForOne(maxRestarts: 2, within: .seconds(30))) { system in
            let calculator = try await Calculator.spawn(in: .remote(LoopbackHosting()), using: system)
            let firstPid = try await calculator.pid()
            let outcomes = await ActorSupervisionTests.inFlightCalls(to: calculator, count: 3) { _ = try? await calculator.trap() }
            let crashes = outcomes.compactMap { outcome -> (code: Int32, report: CrashReport?)? in
                if case ActorSystemError.hostCrashed(let code, let report)? = outcome.error { return (code, report) }
                return nil
            }
            #expect(crashes.count == outcomes.count, "expected hostCrashed for every call: \(outcomes)")
            #expect(crashes.allSatisfy { $0.code == -SIGILL || $0.code == -SIGTRAP }, "\(crashes)")
            #expect(crashes.allSatisfy { $0.report?.message?.contains("calculator traps on purpose") == true }, "\(crashes)")
            #expect(outcomes.allSatisfy { $0.after < .seconds(1) }, "\(outcomes)")
            #expect(await ActorSupervisionTests.firstSuccess(calculator) == 42)
            #expect(try await calculator.pid() != firstPid)
        }
    }

    @Test("a lost transport fails the calls in flight and every later one with hostUnavailable; resolve says so")
    func lostTransport() async throws {
        try await withActorSystem { system in
            let hosting = LoopbackHosting()
            let calculator = try await Calculator.spawn(in: .remote(hosting), using: system)
            #expect(try await calculator.add(1, 1) == 2)
            let remote = try #require(system.registry.withLock { $0.hosts[calculator.id.host] } as? ActorRemoteHost)
            let napping = Task { try await calculator.nap(milliseconds: 10_000) }
            try await Task.sleep(for: .milliseconds(100))
            hosting.isLost.withLock { $0 = true }
            remote.lose("rank 7 was lost")
            let later = await Task { try await calculator.add(1, 1) }.result
            for outcome in [await napping.result, later] {
                guard case .failure(ActorSystemError.hostUnavailable(let why)) = outcome else {
                    Issue.record("expected hostUnavailable, got \(outcome)")
                    continue
                }
                #expect(why == "rank 7 was lost")
            }
            #expect(throws: ActorSystemError.self) { try Calculator.resolve(id: calculator.id, using: system) }
        }
    }
}
