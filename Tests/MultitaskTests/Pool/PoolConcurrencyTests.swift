import Glibc
import Testing
@testable import Multitask

@Suite("Process pool with async/await", .timeLimit(.minutes(2)))
struct PoolConcurrencyTests {
    @Test("run awaits a task's output; map awaits all outputs in order", arguments: pooledStartMethods)
    func runAndMap(method: StartMethod) async throws {
        try await Pool.withPool(processes: 2, startMethod: method) { pool async throws in
            #expect(try await pool.run(ActionTask(action: .answer, value: 11)) == 11)
            #expect(try await pool.map(SquarePoolFunction.self, Array(0..<100), chunkSize: 7) == (0..<100).map { $0 * $0 })
            await #expect(throws: PoolError.self) { try await pool.run(ActionTask(action: .throwError)) }
        }
    }

    @Test("results streams outputs in input order, or every output once unordered", arguments: pooledStartMethods)
    func resultsStreams(method: StartMethod) async throws {
        try await Pool.withPool(processes: 2, startMethod: method) { pool async throws in
            var ordered: [Int] = []
            for try await value in pool.results(SquarePoolFunction.self, Array(0..<60), chunkSize: 4) { ordered.append(value) }
            #expect(ordered == (0..<60).map { $0 * $0 })
            var unordered: [Int] = []
            for try await value in pool.results(SquarePoolFunction.self, Array(0..<60), ordered: false) { unordered.append(value) }
            #expect(unordered.sorted() == (0..<60).map { $0 * $0 })
            var seen = 0
            do {
                for try await _ in pool.results(PickyPoolFunction.self, Array(1...10)) { seen += 1 }
                Issue.record("the stream did not throw")
            } catch {
                #expect(seen == 4)
            }
        }
    }

    @Test("cancelling the awaiting task cancels pool work not yet sent to a worker", arguments: pooledStartMethods)
    func cancellation(method: StartMethod) async throws {
        try await Pool.withPool(processes: 1, startMethod: method) { pool async throws in
            // Occupy the only worker, with more than it prefetches queued behind: the waiting task
            // stays in the pool's queue until the pool is terminated.
            let blockers = (0..<(PoolDispatcher.prefetchLimit + 10)).map { _ in pool.applyAsync(ActionTask(action: .sleep, value: 60_000)) }
            let waiting = Task { try await pool.run(ActionTask(action: .answer, value: 1)) }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            await #expect(throws: PoolError.cancelled) { try await waiting.value }
            pool.terminate()
            _ = blockers
        }
    }
}
