import Distributed
import Glibc
import Testing
@testable import Multitask

/// Distributed actors in child processes of every start method: plain, generic and throwing
/// calls, and concurrency.
@Suite("ProcessActorSystem: actors in child processes", .serialized, .timeLimit(.minutes(2)))
struct ProcessActorSystemTests {
    @Test("calls reach an actor in a child of each start method, and answer there", arguments: StartMethod.allCases)
    func callsReachChild(method: StartMethod) async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: .childProcess(method), using: system)
            #expect(__isRemoteActor(calculator))
            #expect(try await calculator.add(40, 2) == 42)
            #expect(try await calculator.pid() != getpid())
            #expect(try await calculator.describe(ActorTestPoint(x: 3, y: 0.5)) == "(3, 0.5)")
            for value in 1...10 { _ = try await calculator.accumulate(value) }
            #expect(try await calculator.accumulate(0) == 55)
        }
    }

    @Test("a local actor and an actor in a child answer the same calls")
    func localAndChild() async throws {
        try await withActorSystem { system in
            let local = try await Calculator.spawn(in: .local, using: system)
            let remote = try await Calculator.spawn(using: system)
            #expect(!__isRemoteActor(local))
            #expect(try await local.add(1, 2) == 3)
            #expect(try await remote.add(1, 2) == 3)
            #expect(try await local.pid() == getpid())
            #expect(try Calculator.resolve(id: local.id, using: system) === local)
        }
    }

    @Test("generic methods: substitutions travel by mangled type name")
    func genericMethods() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            #expect(try await calculator.echo("text") == "text")
            #expect(try await calculator.echo([1, 2, 3]) == [1, 2, 3])
            #expect(try await calculator.echo(2.5) == 2.5)
            #expect(try await calculator.echo(ActorTestPoint(x: 1, y: 2)) == ActorTestPoint(x: 1, y: 2))
            #expect(try await calculator.echo(["a": [1]]) == ["a": [1]])
            #expect(try await calculator.pair(7, ActorTestPoint(x: 1, y: 2)) == ["7", "ActorTestPoint(x: 1, y: 2.0)"])
        }
    }

    @Test("thrown errors: a Codable error comes back as itself, another by type and description")
    func thrownErrors() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            #expect(try await calculator.parse("12") == 12)
            await #expect(throws: ParseFailure(position: 0, reason: "not a number: x")) { try await calculator.parse("x") }
            do {
                try await calculator.failOpaquely()
                Issue.record("no error")
            } catch let error as RemoteActorError {
                #expect(error.typeName.hasSuffix("OpaqueFailure"))
                #expect(error.message == "opaque failure 42")
            }
            #expect(try await calculator.add(1, 1) == 2)
        }
    }

    @Test("an async method that suspends in the host still answers, and others are served meanwhile")
    func suspendingMethod() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            async let slow = calculator.nap(milliseconds: 50)
            #expect(try await calculator.add(2, 3) == 5)
            #expect(try await slow == 50)
        }
    }

    @Test("10,000 concurrent calls from 8 tasks are each answered exactly once, with their own result")
    func concurrentCalls() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let answers = try await withThrowingTaskGroup(of: [Int].self) { group in
                for task in 0..<8 {
                    group.addTask {
                        var answers: [Int] = []
                        try await withThrowingTaskGroup(of: Int.self) { calls in
                            for n in stride(from: task, to: 10_000, by: 8) {
                                calls.addTask { try await calculator.add(n, 0) }
                            }
                            for try await answer in calls { answers.append(answer) }
                        }
                        return answers
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(answers.count == 10_000)
            #expect(answers.sorted() == Array(0..<10_000))
        }
    }

    @Test("several actors share a host with .alongside; resolve finds them; unknown IDs throw")
    func sharedHost() async throws {
        try await withActorSystem { system in
            let first = try await Calculator.spawn(using: system)
            let second = try await Calculator.spawn(in: .alongside(first.id), using: system)
            #expect(try await first.pid() == second.pid())
            _ = try await first.accumulate(5)
            #expect(try await second.accumulate(1) == 1)
            let again = try Calculator.resolve(id: first.id, using: system)
            #expect(try await again.accumulate(1) == 6)
            let unknown = ProcessActorID(host: first.id.host, serial: 9_999)
            #expect(throws: ActorSystemError.self) { _ = try Calculator.resolve(id: unknown, using: system) }
        }
    }
}
