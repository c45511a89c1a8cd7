import Distributed
import Glibc
import Testing
@testable import Multitask

/// The opt-in ``ProcessActorSystem/callerExecutor``: callers on it are answered exactly once,
/// mix with callers on the cooperative pool, fail with a crash or a timeout like them, and
/// its thread ends with the system.
@Suite("ProcessActorSystem: caller executor", .serialized, .timeLimit(.minutes(2)))
struct ActorCallerExecutorTests {
    /// How many threads of this process carry the caller executor's name.
    static func callerThreads() -> Int {
        guard let directory = opendir("/proc/self/task") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard tid.first?.isNumber == true, let comm = try? String(decoding: ProcFS.readFile("/proc/self/task/\(tid)/comm"), as: UTF8.self) else { continue }
            if comm.hasPrefix("actor-callers") { count += 1 }
        }
        return count
    }

    /// `tasks` tasks, on the caller executor when `onExecutor(task)`, each making `calls`
    /// calls to `add(task * 1_000_000, i)`; returns every sum, and whether each task on the
    /// executor ran there after each call.
    static func sums(
        from calculator: Calculator, system: ProcessActorSystem, tasks: Int, calls: Int, onExecutor: @escaping @Sendable (Int) -> Bool
    ) async throws -> (sums: [Int], stayedOnExecutor: Bool) {
        try await withThrowingTaskGroup(of: ([Int], Bool).self) { group in
            for task in 0..<tasks {
                let executor: (any TaskExecutor)? = onExecutor(task) ? system.callerExecutor : nil
                group.addTask(executorPreference: executor) {
                    var sums: [Int] = []
                    var stayed = true
                    for i in 0..<calls {
                        sums.append(try await calculator.add(task * 1_000_000, i))
                        if executor != nil && !system.callerExecutor.isCurrent { stayed = false }
                    }
                    return (sums, stayed)
                }
            }
            return try await group.reduce(into: ([], true)) { $0.0 += $1.0; $0.1 = $0.1 && $1.1 }
        }
    }

    /// Every sum `sums(…)` should return, once each.
    static func expectedSums(tasks: Int, calls: Int) -> [Int] {
        (0..<tasks).flatMap { task in (0..<calls).map { task * 1_000_000 + $0 } }.sorted()
    }

    @Test("10,000 concurrent calls from 8 tasks on the caller executor are all answered, each exactly once")
    func manyCallersAnsweredOnce() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let (sums, stayed) = try await Self.sums(from: calculator, system: system, tasks: 8, calls: 1_250) { _ in true }
            #expect(sums.sorted() == Self.expectedSums(tasks: 8, calls: 1_250))
            #expect(stayed, "a caller on the executor resumed elsewhere")
        }
    }

    @Test("callers on the caller executor and on the cooperative pool, calling one host together, are all answered")
    func mixedCallers() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let (sums, stayed) = try await Self.sums(from: calculator, system: system, tasks: 8, calls: 1_000) { $0 % 2 == 0 }
            #expect(sums.sorted() == Self.expectedSums(tasks: 8, calls: 1_000))
            #expect(stayed, "a caller on the executor resumed elsewhere")
            // A lone caller on the executor (it lingers for its reply), then a lone one off it.
            let lone = try await Task(executorPreference: system.callerExecutor) { try await calculator.add(40, 2) }.value
            #expect(lone == 42)
            #expect(try await calculator.add(1, 2) == 3)
        }
    }

    @Test("SIGKILL of the host mid-call: every caller on the executor throws hostCrashed within 1 s, then the restarted host answers them")
    func killedMidCall() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let firstPid = try await calculator.pid()
            let outcomes = await ActorSupervisionTests.inFlightCalls(to: calculator, count: 20, on: system.callerExecutor) { kill(firstPid, SIGKILL) }
            #expect(outcomes.count == 20)
            ActorSupervisionTests.expectKilled(outcomes)
            let restarted = await Task(executorPreference: system.callerExecutor) { await ActorSupervisionTests.firstSuccess(calculator) }.value
            #expect(restarted == 42)
            let (sums, _) = try await Self.sums(from: calculator, system: system, tasks: 4, calls: 100) { _ in true }
            #expect(sums.sorted() == Self.expectedSums(tasks: 4, calls: 100))
        }
    }

    @Test("a caller on the executor whose host hangs past the call timeout throws callTimedOut; the restarted host answers")
    func timedOutCall() async throws {
        try await withActorSystem(callTimeout: .milliseconds(300)) { system in
            let calculator = try await Calculator.spawn(using: system)
            let clock = ContinuousClock()
            let started = clock.now
            let outcome = await Task(executorPreference: system.callerExecutor) { () -> (any Error)? in
                do {
                    _ = try await calculator.hang()
                    return nil
                } catch {
                    return error
                }
            }.value
            guard case ActorSystemError.callTimedOut? = outcome else {
                Issue.record("expected callTimedOut, got \(String(describing: outcome))")
                return
            }
            #expect(clock.now - started < .seconds(2))
            let restarted = await Task(executorPreference: system.callerExecutor) { await ActorSupervisionTests.firstSuccess(calculator) }.value
            #expect(restarted == 42)
        }
    }

    @Test("the executor's thread ends with the system: shut down idle, after use, from a task on it, or dropped")
    func threadEndsWithSystem() async throws {
        let before = Self.callerThreads()
        // Idle: no thread was ever started.
        try await withActorSystem { _ in #expect(Self.callerThreads() == before) }
        #expect(Self.callerThreads() == before)
        // After use: the thread runs while the system lives, and is joined by the shutdown.
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            _ = try await Self.sums(from: calculator, system: system, tasks: 2, calls: 50) { _ in true }
            #expect(Self.callerThreads() == before + 1)
        }
        #expect(Self.callerThreads() == before)
        // Shut down by a task on the executor: no self-join; the thread ends after that job.
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            try await Task(executorPreference: system.callerExecutor) {
                _ = try await calculator.add(1, 1)
                system.shutdown()
            }.value
            #expect(eventually { Self.callerThreads() == before })
        }
        // Dropped without a shutdown (no host: nothing else to stop).
        do {
            let system = ProcessActorSystem()
            await Task(executorPreference: system.callerExecutor) {}.value
            #expect(Self.callerThreads() == before + 1)
        }
        #expect(eventually { Self.callerThreads() == before })
    }
}
