import Distributed
import Glibc
import Testing
@testable import Multitask

/// Hosts that die, hang or keep dying: in-flight calls fail with the crash, the supervisor
/// restarts the host with its actors, and gives up at the policy's limit.
@Suite("ProcessActorSystem: crash isolation and supervision", .serialized, .timeLimit(.minutes(2)))
struct ActorSupervisionTests {
    /// Starts `count` slow calls (from tasks that prefer `executor`, if given), waits until
    /// they are in flight, runs `crash`, and returns each call's error with how long after
    /// the crash it came.
    static func inFlightCalls(
        to calculator: Calculator, count: Int, on executor: (any TaskExecutor)? = nil, crash: @escaping @Sendable () async -> Void
    ) async -> [(error: (any Error)?, after: Duration)] {
        let clock = ContinuousClock()
        return await withTaskGroup(of: ((any Error)?, ContinuousClock.Instant).self) { group in
            for _ in 0..<count {
                group.addTask(executorPreference: executor) {
                    do {
                        _ = try await calculator.nap(milliseconds: 10_000)
                        return (nil, clock.now)
                    } catch {
                        return (error, clock.now)
                    }
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
            let crashed = clock.now
            await crash()
            return await group.reduce(into: []) { $0.append(($1.0, $1.1 - crashed)) }
        }
    }

    /// Every one of `outcomes` is a `hostCrashed` by SIGKILL, within 1 s of the kill.
    static func expectKilled(_ outcomes: [(error: (any Error)?, after: Duration)]) {
        for (error, after) in outcomes {
            guard case ActorSystemError.hostCrashed(let code, _)? = error else {
                Issue.record("expected hostCrashed, got \(String(describing: error))")
                continue
            }
            #expect(code == -SIGKILL)
            #expect(after < .seconds(1))
        }
    }

    /// Calls `add` until it succeeds (the host is back), for at most 5 seconds.
    static func firstSuccess(_ calculator: Calculator) async -> Int? {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        while clock.now < deadline {
            if let sum = try? await calculator.add(20, 22) { return sum }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }

    @Test("SIGKILL of the host mid-call: every in-flight call throws hostCrashed within 1 s, then the restarted host answers",
          arguments: [StartMethod.forkserver, .spawn, .fork])
    func killedMidCall(method: StartMethod) async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: .childProcess(method), using: system)
            let firstPid = try await calculator.pid()
            _ = try await calculator.accumulate(5)
            let outcomes = await Self.inFlightCalls(to: calculator, count: 20) { kill(firstPid, SIGKILL) }
            Self.expectKilled(outcomes)
            #expect(await Self.firstSuccess(calculator) == 42)
            #expect(try await calculator.pid() != firstPid)
            // The actor was re-created: fresh state, same ID.
            #expect(try await calculator.accumulate(1) == 1)
        }
    }

    @Test("a trap in a method: its call and the others in flight throw hostCrashed with the crash report")
    func trapMidCall() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let outcomes = await Self.inFlightCalls(to: calculator, count: 5) { _ = try? await calculator.trap() }
            for (error, after) in outcomes {
                guard case ActorSystemError.hostCrashed(let code, let report)? = error else {
                    Issue.record("expected hostCrashed, got \(String(describing: error))")
                    continue
                }
                #expect(code == -SIGILL || code == -SIGTRAP)
                #expect(report?.message?.contains("calculator traps on purpose") == true, "\(String(describing: report))")
                #expect(report?.frames.isEmpty == false)
                #expect(after < .seconds(1))
            }
            #expect(await Self.firstSuccess(calculator) == 42)
        }
    }

    @Test("past the restart limit the actor is dead: calls and resolve throw actorDead, no restart")
    func restartLimit() async throws {
        try await withActorSystem(restartPolicy: .oneForOne(maxRestarts: 1, within: .seconds(30))) { system in
            let calculator = try await Calculator.spawn(using: system)
            kill(try await calculator.pid(), SIGKILL)
            #expect(await Self.firstSuccess(calculator) == 42)
            let secondPid = try await calculator.pid()
            kill(secondPid, SIGKILL)
            #expect(eventually { processIsGone(secondPid) })
            var lastError: (any Error)?
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(5)
            while clock.now < deadline {
                do { _ = try await calculator.add(1, 1) } catch { lastError = error }
                if case ActorSystemError.actorDead(let id)? = lastError { #expect(id == calculator.id); break }
                try? await Task.sleep(for: .milliseconds(2))
            }
            guard case ActorSystemError.actorDead? = lastError else {
                Issue.record("expected actorDead, got \(String(describing: lastError))")
                return
            }
            do {
                _ = try Calculator.resolve(id: calculator.id, using: system)
                Issue.record("resolve of a dead actor succeeded")
            } catch ActorSystemError.actorDead(let id) {
                #expect(id == calculator.id)
                #expect(ActorSystemError.actorDead(id).description.contains("restart limit"))
            }
            try? await Task.sleep(for: .milliseconds(100))
            await #expect(throws: ActorSystemError.self) { _ = try await calculator.add(1, 1) }
        }
    }

    @Test(".never: a host that dies is not restarted")
    func neverRestart() async throws {
        try await withActorSystem(restartPolicy: .never) { system in
            let calculator = try await Calculator.spawn(using: system)
            let outcomes = await Self.inFlightCalls(to: calculator, count: 1) { _ = try? await calculator.killHost() }
            #expect(outcomes.allSatisfy { if case ActorSystemError.hostCrashed? = $0.error { true } else { false } })
            do {
                _ = try await calculator.add(1, 1)
                Issue.record("a dead actor answered")
            } catch ActorSystemError.actorDead {
            }
        }
    }

    @Test("a call whose host hangs past the call timeout throws callTimedOut; the host is replaced")
    func hungHost() async throws {
        try await withActorSystem(callTimeout: .milliseconds(300)) { system in
            let calculator = try await Calculator.spawn(using: system)
            let firstPid = try await calculator.pid()
            let clock = ContinuousClock()
            let started = clock.now
            do {
                _ = try await calculator.hang()
                Issue.record("a hung call returned")
            } catch ActorSystemError.callTimedOut(let timeout) {
                #expect(timeout == .milliseconds(300))
            }
            #expect(clock.now - started < .seconds(2))
            #expect(eventually { processIsGone(firstPid) })
            #expect(await Self.firstSuccess(calculator) == 42)
            #expect(try await calculator.pid() != firstPid)
        }
    }

    @Test("bytes on a host's calls queue that do not read as a call end the host: calls in flight throw hostCrashed, the restarted host answers")
    func malformedCallEndsHost() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let firstPid = try await calculator.pid()
            let host = try #require(system.registry.withLock { $0.hosts[calculator.id.host] } as? ActorHost)
            let calls = try #require(host.state.withLock { $0.generation?.calls })
            let outcomes = await Self.inFlightCalls(to: calculator, count: 4) { _ = try? calls.put([0xFF, 1, 2, 3]) }
            for (error, after) in outcomes {
                guard case ActorSystemError.hostCrashed? = error else {
                    Issue.record("expected hostCrashed, got \(String(describing: error))")
                    continue
                }
                #expect(after < .seconds(1))
            }
            #expect(eventually { processIsGone(firstPid) })
            #expect(await Self.firstSuccess(calculator) == 42)
            #expect(try await calculator.pid() != firstPid)
        }
    }
}
