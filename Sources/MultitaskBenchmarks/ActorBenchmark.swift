import Distributed
import Multitask

/// The actor the `actors` measurements call: in this process or in a host process.
distributed actor BenchEcho: HostableActor {
    distributed func echo(_ value: Int) -> Int { value }

    distributed func checked(_ value: Int) throws -> Int {
        guard value >= 0 else { throw BenchFailure() }
        return value
    }
}

/// What `checked` throws for a negative value (never, in the measurements).
struct BenchFailure: Error, Codable {}

/// Distributed actors of a ``ProcessActorSystem``, for `multitask bench --only actors`: call
/// round trips to an actor in a forkserver child, in this process through the remote-call
/// path (loopback) and as a plain local actor, throughput with several callers, the time from
/// a host's crash to the first call its restarted host answers, and the raw round trip
/// through two queues that the calls travel on.
public enum ActorBenchmark {
    /// Where the measured `BenchEcho` lives.
    public enum Place: Sendable {
        /// In a forkserver child (a host process).
        case child
        /// In this process, called through the remote-call path (`ActorPlacement.loopback`):
        /// invocation encoded, call bytes read back, `executeDistributedTarget`, reply
        /// encoded and decoded — a host's work without the queues and the other process.
        case loopback
        /// In this process, a plain local distributed actor.
        case local

        /// The placement that puts it there.
        var placement: ActorPlacement {
            switch self {
            case .child: .childProcess(.forkserver)
            case .loopback: .loopback
            case .local: .local
            }
        }
    }

    /// The median round trip, in microseconds, of `calls` sequential calls (after 200 warm-up
    /// calls) to a `BenchEcho` at `place`, through a plain method or a `throws` one.
    public static func roundTripMicroseconds(at place: Place, throwing: Bool, calls: Int) -> Double {
        withEcho(at: place) { echo in
            var samples = [Double](repeating: 0, count: calls)
            for i in -200..<calls {
                let start = Deadline.now.nanoseconds
                let answer = throwing ? try await echo.checked(i & 0xFFFF) : try await echo.echo(i)
                if i >= 0 { samples[i] = Double(Deadline.now.nanoseconds - start) / 1000 }
                guard answer == (throwing ? i & 0xFFFF : i) else { fatalError("ActorBenchmark: wrong answer \(answer) for \(i)") }
            }
            return samples.median
        }
    }

    /// Calls per second to a `BenchEcho` in a child process, `callers` tasks each making
    /// `calls / callers` sequential calls: on the cooperative pool (the default), or with the
    /// system's ``ProcessActorSystem/callerExecutor`` as their executor preference (the opt-in
    /// for tasks that call actors in host processes concurrently).
    public static func throughput(callers: Int, calls: Int, onCallerExecutor: Bool = false) -> Double {
        withEcho(at: .child) { echo in
            let perCaller = calls / callers
            let executor: (any TaskExecutor)? = onCallerExecutor ? echo.actorSystem.callerExecutor : nil
            let start = Deadline.now.nanoseconds
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<callers {
                    group.addTask(executorPreference: executor) { for i in 0..<perCaller { _ = try await echo.echo(i) } }
                }
                try await group.waitForAll()
            }
            return Double(perCaller * callers) / (Double(Deadline.now.nanoseconds - start) / 1e9)
        }
    }

    /// The median time, in milliseconds, from SIGKILL of a forkserver host to the first call
    /// its restarted host answers, over `runs` crashes.
    public static func crashToRestartMilliseconds(runs: Int) -> Double {
        withEcho(at: .child, restartPolicy: .oneForOne(maxRestarts: runs + 1, within: .seconds(3600))) { echo in
            var samples: [Double] = []
            for run in 0..<runs {
                _ = try await echo.echo(run)
                let start = Deadline.now.nanoseconds
                echo.actorSystem.killHost(of: echo.id)
                while (try? await echo.echo(run)) != run { await Task.yield() }
                samples.append(Double(Deadline.now.nanoseconds - start) / 1e6)
            }
            return samples.median
        }
    }

    /// The peer of the call round trip: the median round trip, in microseconds, of an `Int`
    /// through two ``Queue``s to a forkserver child that puts it back (what a call travels on,
    /// without the actor system).
    public static func queueRoundTripMicroseconds(roundTrips: Int) -> Double {
        do {
            let requests = try Queue<Int>(), answers = try Queue<Int>()
            let child = Process(name: "bench-queue-echo", startMethod: .forkserver, entry: QueueEchoEntry(requests: requests, answers: answers))
            try child.start()
            defer { child.join() }
            var samples = [Double](repeating: 0, count: roundTrips)
            for i in -200..<roundTrips {
                let start = Deadline.now.nanoseconds
                try requests.put(i)
                guard try answers.get() == i else { fatalError("ActorBenchmark: the queue echo answered out of order") }
                if i >= 0 { samples[i] = Double(Deadline.now.nanoseconds - start) / 1000 }
            }
            requests.close()
            return samples.median
        } catch {
            fatalError("ActorBenchmark: queue round trip failed: \(error)")
        }
    }

    /// Runs `body` with a `BenchEcho` at `place`, in a fresh system shut down afterwards,
    /// blocking this thread until it is done.
    private static func withEcho(
        at place: Place, restartPolicy: ActorRestartPolicy = .oneForOne(),
        _ body: @escaping @Sendable (BenchEcho) async throws -> Double
    ) -> Double {
        let system = ProcessActorSystem(restartPolicy: restartPolicy)
        defer { system.shutdown() }
        let outcome = BlockingOutcome()
        Task {
            do {
                let echo = try await BenchEcho.spawn(in: place.placement, using: system)
                outcome.finish(.success(try await body(echo)))
            } catch {
                outcome.finish(.failure(error))
            }
        }
        switch outcome.wait() {
        case .success(let value): return value
        case .failure(let error): fatalError("ActorBenchmark: \(error)")
        }
    }
}

/// The outcome of async work that a synchronous benchmark waits for.
// @unchecked: `result` is written once before `done.set()` and read after `done.wait()`.
private final class BlockingOutcome: @unchecked Sendable {
    private var result: Result<Double, any Error>?
    private let done = Event()

    func finish(_ result: Result<Double, any Error>) {
        self.result = result
        done.set()
    }

    func wait() -> Result<Double, any Error> {
        done.wait()
        return result!
    }
}

/// The child of the raw queue round trip: answers each `Int` with itself until the requests
/// queue is closed.
struct QueueEchoEntry: ProcessEntry {
    var requests: Queue<Int>
    var answers: Queue<Int>

    func run() throws {
        while let value = try? requests.get() { try answers.put(value) }
    }
}
