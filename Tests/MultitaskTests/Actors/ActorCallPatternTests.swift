import Distributed
import Testing
@testable import Multitask

/// The task-group shapes users write around distributed calls, spelled out at the call site.
/// CI also runs this suite in a release build (`.ci/run`): Swift 6.3.1's optimizer dropped
/// values stored before an awaited `async throws` call in such shapes (see
/// `PoolAsyncPatternTests`), and the calls here go through the system's continuations, the
/// reply reader and the host loop's executor.
@Suite("ProcessActorSystem call patterns", .serialized, .timeLimit(.minutes(2)))
struct ActorCallPatternTests {
    static let count = 64

    /// The pairs whose answer is not (n, 2n + 1).
    static func mismatches(_ pairs: [(Int, Int)]) -> [String] {
        let wrong = pairs.filter { $0.1 != 2 &* $0.0 &+ 1 }.prefix(4).map { "(\($0.0), \($0.1))" }
        return Set(pairs.map(\.0)) == Set(0..<count) ? wrong : wrong + ["item numbers \(pairs.map(\.0).sorted().prefix(8))…"]
    }

    @Test("(n, try await call) in a throwing group keeps n with its answer", arguments: [false, true])
    func plainPair(inChild: Bool) async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: inChild ? .childProcess : .local, using: system)
            let pairs = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for n in 0..<Self.count { group.addTask { (n, try await calculator.add(n, n + 1)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Self.mismatches(pairs) == [])
        }
    }

    @Test("(n, .success(try await call)) and do/catch around it keep n", arguments: [false, true])
    func resultPairs(inChild: Bool) async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: inChild ? .childProcess : .local, using: system)
            let pairs = try await withThrowingTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<Self.count { group.addTask { (n, .success(try await calculator.parse(String(2 * n + 1)))) } }
                var pairs: [(Int, Int)] = []
                for try await (n, outcome) in group { pairs.append((n, try outcome.get())) }
                return pairs
            }
            #expect(Self.mismatches(pairs) == [])
            // The shape to write: the awaited value first, the tuple after it.
            let caught = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<Self.count {
                    group.addTask {
                        do {
                            let value = try await calculator.echo(2 * n + 1)
                            return (n, .success(value))
                        } catch {
                            return (n, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append(($1.0, (try? $1.1.get()) ?? -1)) }
            }
            #expect(Self.mismatches(caught) == [])
        }
    }

    /// `return (n, .success(try await call))` inside `do`/`catch`: Swift 6.3.1's release
    /// optimizer loses `n` here for any `async throws` callee, and a distributed method's
    /// thunk is one the library cannot wrap (the pools wrap theirs, see `Pool.run`). The
    /// README says to await first; this test records the toolchain's behaviour as a known
    /// issue (it passes in debug builds and once the compiler is fixed).
    @Test("return (n, .success(try await call)) in do/catch: a known Swift 6.3.1 release miscompile", arguments: [false, true])
    func caughtInlineShape(inChild: Bool) async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(in: inChild ? .childProcess : .local, using: system)
            let caught = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<Self.count {
                    group.addTask {
                        do {
                            return (n, .success(try await calculator.echo(2 * n + 1)))
                        } catch {
                            return (n, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append(($1.0, (try? $1.1.get()) ?? -1)) }
            }
            withKnownIssue("Swift 6.3.1 release builds lose a value stored before an awaited async throws call", isIntermittent: true) {
                #expect(Self.mismatches(caught) == [])
            }
            // Every call was still answered once, with its own value.
            #expect(caught.map(\.1).sorted() == (0..<Self.count).map { 2 * $0 + 1 })
        }
    }

    @Test("a thrown error in a group arrives with its own item number")
    func thrownPairs() async throws {
        try await withActorSystem { system in
            let calculator = try await Calculator.spawn(using: system)
            let pairs = await withTaskGroup(of: (Int, String).self) { group in
                for n in 0..<Self.count {
                    group.addTask {
                        do {
                            return (n, "\(try await calculator.parse("x\(n)"))")
                        } catch let failure as ParseFailure {
                            return (n, failure.reason)
                        } catch {
                            return (n, "\(error)")
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(pairs.filter { $0.1 != "not a number: x\($0.0)" }.isEmpty)
            #expect(Set(pairs.map(\.0)) == Set(0..<Self.count))
        }
    }
}
