import Distributed
import Multitask

/// The actor `lab` places in a child process: it counts its calls (state that a restart
/// loses) and naps on request (a call that is in flight when its host is killed).
distributed actor LabCounter: HostableActor {
    /// Calls counted so far.
    var count = 0

    /// Counts one more call and returns the count.
    distributed func next() -> Int {
        count += 1
        return count
    }

    /// The host process's pid.
    distributed func pid() -> Int32 { Multitask.currentProcess.pid }

    /// Suspends for `milliseconds` (the host serves other calls meanwhile).
    distributed func nap(_ milliseconds: Int) async throws {
        try await Task.sleep(for: .milliseconds(milliseconds))
    }
}

/// `multitask lab`'s "distributed actors" section: an actor in a supervised child process,
/// called; its host killed with SIGKILL (as the OOM killer would) while a call is in flight;
/// the supervisor's restart; each step timed.
enum ActorLab {
    /// One timed step.
    struct Step: Sendable {
        /// What was timed.
        let name: String
        /// How long it took.
        let milliseconds: Double
        /// What it shows.
        let reading: String
    }

    /// Calls timed for the round trip.
    static let calls = 2_000

    /// Runs the steps (nil, with the reason on standard error, when the actor cannot start).
    static func run() -> [Step]? {
        BlockingAsync.run {
            let system = ProcessActorSystem(restartPolicy: .oneForOne(maxRestarts: 3, within: .seconds(10)))
            defer { system.shutdown() }
            do {
                return try await steps(system)
            } catch {
                writeError("lab: distributed actors: \(error); section left out\n")
                return nil
            }
        }
    }

    /// The steps, measured.
    private static func steps(_ system: ProcessActorSystem) async throws -> [Step] {
        let clock = ContinuousClock()
        var start = clock.now
        let counter = try await LabCounter.spawn(in: .childProcess, using: system)
        let started = clock.now - start
        let firstPID = try await counter.pid()
        var samples: [Duration] = []
        for _ in 0..<calls {
            start = clock.now
            _ = try await counter.next()
            samples.append(clock.now - start)
        }
        let local = LabCounter(actorSystem: system)
        var localSamples: [Duration] = []
        for _ in 0..<calls {
            start = clock.now
            _ = try await local.next()
            localSamples.append(clock.now - start)
        }
        let napping = Task { try await counter.nap(10_000) }
        try await Task.sleep(for: .milliseconds(50))
        let killed = clock.now
        system.killHost(of: counter.id)
        let failure = await napping.result
        let failed = clock.now - killed
        var answer = try? await counter.next()
        while answer == nil {
            await Task.yield()
            answer = try? await counter.next()
        }
        let restarted = clock.now - killed
        let secondPID = try await counter.pid()
        let thrown: String
        if case .failure(let error) = failure { thrown = "\(error)" } else { thrown = "nothing (it returned)" }
        return [
            Step(name: "start a host process, create the actor", milliseconds: ms(started), reading: "pid \(firstPID), a forkserver child"),
            Step(name: "call round trip (median of \(calls))", milliseconds: ms(median(samples)),
                 reading: "the same actor in this process: \(format(ms(median(localSamples)) * 1000, decimals: 2)) µs"),
            Step(name: "SIGKILL of the host → the call in flight throws", milliseconds: ms(failed), reading: thrown),
            Step(name: "SIGKILL → first call the new host answers", milliseconds: ms(restarted),
                 reading: "same reference, new host pid \(secondPID), fresh state (count \(answer ?? 0) after \(calls))"),
        ]
    }

    /// The section as a table.
    static func table(_ steps: [Step]) -> String {
        var out = "\nDistributed actors — a `distributed actor` in a supervised child process (ProcessActorSystem).\n\n"
        var table = TextTable(headers: ["step", "ms", "reading"])
        for step in steps { table.rows.append([step.name, format(step.milliseconds, decimals: 3), step.reading]) }
        out += table.rendered()
        out += "\nThe caller holds an ordinary actor reference; the crash fails its calls, never the caller.\n"
        return out
    }

    /// The steps as JSON objects, for `lab --json`.
    static func json(_ steps: [Step]) -> [String] {
        steps.map { #"{"step": \#(JSONValue.quoted($0.name)), "milliseconds": \#($0.milliseconds), "reading": \#(JSONValue.quoted($0.reading))}"# }
    }

    private static func ms(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
    }

    private static func median(_ samples: [Duration]) -> Duration {
        samples.sorted()[samples.count / 2]
    }
}
