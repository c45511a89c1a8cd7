import Testing
@testable import Multitask

/// The task-group patterns users write around the pools' `async` API, each spelled out at the
/// call site (not behind a helper, which would change what the optimizer sees). CI also runs
/// this suite in a release build (`.ci/run`): with Swift 6.3.1 the optimizer paired awaited
/// results with the wrong item number in some of these shapes.
@Suite("Pool async call patterns", .timeLimit(.minutes(2)))
struct PoolAsyncPatternTests {
    static let count = 64

    /// The items whose pair is not (n, n * n), for the failure message (a miscompiled n may be
    /// any bits, hence the overflow-safe square).
    static func mismatches(_ pairs: [(Int, Int)]) -> [String] {
        let wrong = pairs.filter { $0.1 != $0.0.multipliedReportingOverflow(by: $0.0).partialValue }
            .prefix(4).map { "(\($0.0), \($0.1))" }
        let numbers = Set(pairs.map(\.0))
        return numbers == Set(0..<count) ? wrong : wrong + ["item numbers \(pairs.map(\.0).sorted().prefix(8))…"]
    }

    @Test("Pool.run in a throwing group: (n, .success(try await run)) keeps n with its output")
    func poolRunResultPair() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let pairs = try await withThrowingTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<Self.count { group.addTask { (n, .success(try await pool.run(ActionTask(action: .answer, value: n * n)))) } }
                var pairs: [(Int, Int)] = []
                for try await (n, outcome) in group { pairs.append((n, try outcome.get())) }
                return pairs
            }
            #expect(Self.mismatches(pairs) == [])
        }
    }

    @Test("Pool.run in a throwing group: (n, try await run) keeps n with its output")
    func poolRunPlainPair() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let pairs = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for n in 0..<Self.count { group.addTask { (n, try await pool.run(ActionTask(action: .answer, value: n * n))) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Self.mismatches(pairs) == [])
        }
    }

    @Test("Pool.run in a group whose tasks catch: do { (n, .success(try await run)) } keeps n")
    func poolRunCaught() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let pairs = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<Self.count {
                    group.addTask {
                        do {
                            return (n, .success(try await pool.run(ActionTask(action: .answer, value: n * n))))
                        } catch {
                            return (n, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append(($1.0, (try? $1.1.get()) ?? -1)) }
            }
            #expect(Self.mismatches(pairs) == [])
        }
    }

    @Test("Pool.map and Pool.results in a throwing group keep n with their outputs")
    func poolMapAndResults() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let mapped = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
                for n in 0..<Self.count { group.addTask { (n, try await pool.map(SquarePoolFunction.self, [n])) } }
                return try await group.reduce(into: []) { $0.append(($1.0, $1.1.first ?? -1)) }
            }
            #expect(Self.mismatches(mapped) == [])
            let streamed = try await withThrowingTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for n in 0..<Self.count {
                    group.addTask { (n, .success(try await pool.results(SquarePoolFunction.self, [n]).reduce(0, +))) }
                }
                return try await group.reduce(into: []) { $0.append(($1.0, try $1.1.get())) }
            }
            #expect(Self.mismatches(streamed) == [])
        }
    }

    @Test("Pool.run in unstructured tasks, caught or not: Task { (n, try await run) } keeps n")
    func poolRunInTasks() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let tasks = (0..<Self.count).map { n in Task { (n, try await pool.run(ActionTask(action: .answer, value: n * n))) } }
            var pairs: [(Int, Int)] = []
            for task in tasks { pairs.append(try await task.value) }
            #expect(Self.mismatches(pairs) == [])
            let caught = (0..<Self.count).map { n in
                Task { () -> (Int, Int) in
                    do {
                        return (n, try await pool.run(ActionTask(action: .answer, value: n * n)))
                    } catch {
                        return (n, -1)
                    }
                }
            }
            var caughtPairs: [(Int, Int)] = []
            for task in caught { caughtPairs.append(await task.value) }
            #expect(Self.mismatches(caughtPairs) == [])
        }
    }

    @Test("AsyncResult.value in a group whose tasks catch: do { (n, try await result.value) } keeps n")
    func asyncResultValueCaught() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let pairs = await withTaskGroup(of: (Int, Int).self) { group in
                for n in 0..<Self.count {
                    let pending = pool.applyAsync(ActionTask(action: .answer, value: n * n))
                    group.addTask {
                        do {
                            return (n, try await pending.value)
                        } catch {
                            return (n, -1)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Self.mismatches(pairs) == [])
        }
    }

    @Test("ThreadPool.run and map in task groups keep n with their outputs")
    func threadPool() async throws {
        let pool = ThreadPool(threads: 2)
        defer { pool.terminate(); pool.join() }
        let ran = try await withThrowingTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for n in 0..<Self.count { group.addTask { (n, .success(try await pool.run { n * n })) } }
            return try await group.reduce(into: []) { $0.append(($1.0, try $1.1.get())) }
        }
        #expect(Self.mismatches(ran) == [])
        let caught = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for n in 0..<Self.count {
                group.addTask {
                    do {
                        return (n, .success(try await pool.run { n * n }))
                    } catch {
                        return (n, .failure(error))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append(($1.0, (try? $1.1.get()) ?? -1)) }
        }
        #expect(Self.mismatches(caught) == [])
        let mapped = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for n in 0..<Self.count { group.addTask { (n, try await pool.map([n]) { $0 * $0 }) } }
            return try await group.reduce(into: []) { $0.append(($1.0, $1.1.first ?? -1)) }
        }
        #expect(Self.mismatches(mapped) == [])
    }
}
