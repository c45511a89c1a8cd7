#if MPI
import Distributed
import Glibc
import Multitask
import MultitaskMPI

/// The actor the MPI tests place on nodes: it runs in a host process of the node, a child of
/// the node's fork server.
distributed actor ProbeActor: HostableActor {
    /// a + b.
    distributed func add(_ a: Int, _ b: Int) -> Int { a + b }

    /// The value, back (a generic method: the substitution travels by mangled name).
    distributed func echo<T: Codable & Sendable>(_ value: T) -> T { value }

    /// Throws a `Codable` error carrying `message`.
    distributed func fail(_ message: String) throws -> Int { throw ProbeActorError(message: message) }

    /// Suspends for `milliseconds` (its host goes on serving other calls), then returns it.
    distributed func nap(_ milliseconds: Int) async throws -> Int {
        try await Task.sleep(for: .milliseconds(milliseconds))
        return milliseconds
    }

    /// Traps: its host process dies.
    distributed func crash() -> Int { fatalError("the probe actor traps on purpose") }

    /// The pid of the process hosting the actor and of its parent's parent (the node: the
    /// host is a child of the node's fork server).
    distributed func hostPIDs() -> [Int32] {
        [getpid(), MPIProbe.procStat(getppid()).flatMap { $0.count > 3 ? Int32($0[3]) : nil } ?? -1]
    }
}

/// The error ``ProbeActor/fail(_:)`` throws, as a value.
struct ProbeActorError: Error, Codable {
    var message: String
}

/// A user struct for the generic call.
struct ProbePoint: Codable, Sendable, Equatable {
    var x: Int
    var y: Double
}

extension MPIProbe {
    /// Runs `body` on the concurrency pool and waits for it, at most `limit` (then the probe
    /// ends with a message: never a hang).
    static func awaiting(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) {
        let done = Event()
        Task {
            await body()
            done.set()
        }
        if !done.wait(timeout: limit) { Multitask.exit("probe: the actor scenario did not end within \(limit)") }
    }

    /// Actors on nodes 1 and 2: calls, a generic method, a thrown error, a trap in the host on
    /// the node (the calls in flight throw hostCrashed), the restart there, a later call.
    static func actorsScenario() {
        awaiting(.seconds(90)) {
            let system = ProcessActorSystem(restartPolicy: .oneForOne(maxRestarts: 3, within: .seconds(60)))
            defer { system.shutdown() }
            do {
                var actors: [ProbeActor] = []
                for node in [1, 2] {
                    let actor = try await ProbeActor.spawn(in: .mpiNode(node), using: system)
                    let sum = try await actor.add(node, 40)
                    let pids = try await actor.hostPIDs()
                    say("node\(node) add \(sum) host \(pids[0]) node \(pids[1]) rank0 \(getpid())")
                    actors.append(actor)
                }
                let actor = actors[0]
                let text = try await actor.echo("text")
                let numbers = try await actor.echo([1, 2, 3])
                let point = try await actor.echo(ProbePoint(x: 7, y: 0.5))
                say("generic \(text == "text" && numbers == [1, 2, 3] && point == ProbePoint(x: 7, y: 0.5))")
                do {
                    _ = try await actor.fail("bad input")
                    say("thrown none")
                } catch let error as ProbeActorError {
                    say("thrown ProbeActorError \(error.message)")
                }
                try await crashAndRestart(actor, other: actors[1])
            } catch {
                say("actors failed | \(error)")
            }
        }
    }

    /// `body`'s value or error.
    static func attempt(_ body: @Sendable () async throws -> Int) async -> Result<Int, any Error> {
        do {
            let value = try await body()
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// An actor on node 1 with a call in flight (a long nap) when the test kills the node: the
    /// call, and a later one, fail naming the node, within the pool's silence limit.
    static func actorKillScenario() {
        awaiting(.seconds(60)) {
            let system = ProcessActorSystem()
            defer { system.shutdown() }
            do {
                let actor = try await ProbeActor.spawn(in: .mpiNode(1), using: system)
                say("victim \(try await actor.hostPIDs()[1])")
                let start = ContinuousClock.now
                let napped = await attempt { try await actor.nap(30_000) }
                say("inflight \(napped) after \(ContinuousClock.now - start)")
                let later = await attempt { try await actor.add(1, 1) }
                say("later \(later)")
            } catch {
                say("actors failed | \(error)")
            }
        }
    }

    /// A call in flight (a nap) and a trap on the same host: both throw hostCrashed with the
    /// report; the host on the other node is untouched; the restarted host answers.
    static func crashAndRestart(_ actor: ProbeActor, other: ProbeActor) async throws {
        let before = try await actor.hostPIDs()[0]
        async let napping = attempt { try await actor.nap(20_000) }
        try await Task.sleep(for: .milliseconds(200))
        let crashed = await attempt { try await actor.crash() }
        for (name, outcome) in [("crash", crashed), ("inflight", await napping)] {
            switch outcome {
            case .success(let value): say("\(name) returned \(value)")
            case .failure(let error as ActorSystemError):
                if case .hostCrashed = error { say("\(name) hostCrashed | \(error)") } else { say("\(name) other | \(error)") }
            case .failure(let error): say("\(name) other | \(error)")
            }
        }
        say("other \(try await other.add(1, 1))")
        let start = ContinuousClock.now
        while true {
            do {
                let sum = try await actor.add(20, 22)
                let after = try await actor.hostPIDs()[0]
                say("restarted \(sum) new host \(after != before) after \(ContinuousClock.now - start)")
                return
            } catch {
                if ContinuousClock.now - start > .seconds(10) {
                    say("restart failed | \(error)")
                    return
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
#endif
