import Synchronization
import Testing
@testable import Multitask

/// The numbers 0, 1, 2, … without end, counting how many were read (pools read their inputs
/// on the iterating thread only).
final class CountingNumbers: Sequence {
    private(set) var readCount = 0

    func makeIterator() -> AnyIterator<Int> {
        AnyIterator {
            defer { self.readCount += 1 }
            return self.readCount
        }
    }
}

@Suite("Pools over any Sequence, read lazily by imap", .timeLimit(.minutes(2)))
struct PoolSequenceInputTests {
    @Test("Pool.map, mapAsync and starmap take any sequence, in its order", arguments: pooledStartMethods)
    func poolMapTakesSequences(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            #expect(try pool.map(SquarePoolFunction.self, 0..<40, chunkSize: 3) == (0..<40).map { $0 * $0 })
            #expect(try pool.map(SquarePoolFunction.self, stride(from: 10, to: 0, by: -2)) == [100, 64, 36, 16, 4])
            #expect(try pool.mapAsync(SquarePoolFunction.self, (1...5).lazy.map { $0 * 10 }).get() == [100, 400, 900, 1600, 2500])
            #expect(try pool.starmap(PowerPoolFunction.self, zip([2, 3], [5, 3])) == [32, 27])
        }
    }

    @Test("Pool.imap reads an endless sequence as its results are taken", arguments: pooledStartMethods)
    func poolImapEndless(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let numbers = CountingNumbers()
            let results = pool.imap(SquarePoolFunction.self, numbers, chunkSize: 2)
            var taken: [Int] = []
            for outcome in results {
                taken.append(try outcome.get())
                if taken.count == 500 { break }
            }
            #expect(taken == (0..<500).map { $0 * $0 })
            #expect(numbers.readCount <= 500 + results.lookahead)
            #expect(results.lookahead == 2 * 64 * 2)
        }
    }

    @Test("for r in pool.imapUnordered(…) yields one outcome per input, then ends", arguments: pooledStartMethods)
    func poolImapUnorderedIsASequence(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            var values: [Int] = []
            for outcome in pool.imapUnordered(SquarePoolFunction.self, 0..<300, chunkSize: 4) { values.append(try outcome.get()) }
            #expect(values.sorted() == (0..<300).map { $0 * $0 })
            var endless = pool.imapUnordered(SquarePoolFunction.self, 1...)
            let first = try (0..<10).map { _ in try endless.next()!.get() }
            #expect(first.allSatisfy { $0 > 0 })
        }
    }

    @Test("next(timeout:) throws timedOut while the next result runs, then returns it")
    func poolNextTimeout() throws {
        let gate = try Event(placement: .shared)
        try Pool.withPool(processes: 1, initializer: InstallWorkerGate(gate: gate)) { pool throws in
            var results = pool.imap(GatedPoolFunction.self, [300])
            #expect(throws: PoolError.timedOut) { try results.next(timeout: .milliseconds(10)) }
            gate.set()
            #expect(try results.next(timeout: .seconds(30))?.get() == 300)
            #expect(try results.next(timeout: .seconds(30)) == nil)
        }
    }

    @Test("the async Pool.map takes any sequence and reports progress up to the total")
    func poolAsyncMapProgress() async throws {
        try await Pool.withPool(processes: 2) { pool async throws in
            let reports = Mutex<[Int]>([])
            let values = try await pool.map(SquarePoolFunction.self, 0..<100, chunkSize: 10) { done, total in
                #expect(total == 100)
                reports.withLock { $0.append(done) }
            }
            #expect(values == (0..<100).map { $0 * $0 })
            let seen = reports.withLock { $0 }
            #expect(seen == seen.sorted() && seen.last == 100 && seen.count == 10)
        }
    }

    @Test("ThreadPool.map, imap and imapUnordered take any sequence; imap reads an endless one lazily")
    func threadPoolSequences() throws {
        try ThreadPool.withPool(threads: 2) { (pool: ThreadPool) throws in
            #expect(try pool.map(0..<50, chunkSize: 7) { $0 * 3 } == (0..<50).map { $0 * 3 })
            #expect(try pool.mapAsync(Set([4])) { $0 + 1 }.get() == [5])
            let numbers = CountingNumbers()
            let results = pool.imap(numbers) { $0 * 2 }
            var taken: [Int] = []
            for outcome in results {
                taken.append(try outcome.get())
                if taken.count == 300 { break }
            }
            #expect(taken == (0..<300).map { $0 * 2 })
            #expect(numbers.readCount <= 300 + results.lookahead)
            var values: [Int] = []
            for outcome in pool.imapUnordered(0..<100, { $0 + 1 }) { values.append(try outcome.get()) }
            #expect(values.sorted() == Array(1...100))
        }
    }

    @Test("ThreadPool: next(timeout:) throws timedOut while the next result runs")
    func threadPoolNextTimeout() throws {
        try ThreadPool.withPool(threads: 1) { (pool: ThreadPool) throws in
            let gate = Event()
            var results = pool.imapUnordered([7]) { (value: Int) -> Int in
                gate.wait()
                return value
            }
            #expect(throws: PoolError.timedOut) { try results.next(timeout: .milliseconds(10)) }
            gate.set()
            #expect(try results.next(timeout: .seconds(30))?.get() == 7)
            #expect(try results.next(timeout: .seconds(30)) == nil)
        }
    }

    @Test("the async ThreadPool.map reports progress up to the total")
    func threadPoolAsyncMapProgress() async throws {
        let pool = ThreadPool(threads: 2)
        defer { pool.terminate(); pool.join() }
        let reports = Mutex<[Int]>([])
        let values = try await pool.map(0..<60, chunkSize: 6, progress: { done, total in
            #expect(total == 60)
            reports.withLock { $0.append(done) }
        }) { $0 - 1 }
        #expect(values == (0..<60).map { $0 - 1 })
        let seen = reports.withLock { $0 }
        #expect(seen == seen.sorted() && seen.last == 60 && seen.count == 10)
    }
}
