import Synchronization
import Testing
@testable import Multitask

@Suite("AsyncResult", .timeLimit(.minutes(2)))
struct AsyncResultTests {
    static let tries = 2_000

    /// Runs `tries` gated tasks made by `submit`, each with a callback registered before it
    /// finishes; returns the tries where `wait` or `get` returned before the callback had run.
    static func missedCallbacks(gate: Event, _ submit: (Int) -> AsyncResult<Int>) throws -> [Int] {
        let seen = Atomic<Int>(-1)
        var missed: [Int] = []
        for attempt in 0..<tries {
            gate.clear()
            let result = submit(attempt)
            result.onCompletion { if case .success(let value) = $0 { seen.store(value, ordering: .releasing) } }
            gate.set()
            if attempt.isMultiple(of: 2) {
                result.wait()
            } else {
                _ = try result.get()
            }
            if seen.load(ordering: .acquiring) != attempt || !result.isReady { missed.append(attempt) }
        }
        return missed
    }

    @Test("ThreadPool: after wait() or get() returns, every callback registered before completion has run")
    func threadPoolCallbacksRunFirst() throws {
        try ThreadPool.withPool(threads: 2) { (pool: ThreadPool) throws in
            let gate = Event()
            let missed = try Self.missedCallbacks(gate: gate) { value in
                pool.applyAsync { gate.wait(); return value }
            }
            #expect(missed.count == 0, "missed in \(missed.count) of \(Self.tries) tries, first \(missed.prefix(5))")
        }
    }

    @Test("Pool: after wait() or get() returns, every callback registered before completion has run", arguments: pooledStartMethods)
    func poolCallbacksRunFirst(method: StartMethod) throws {
        let gate = try Event(placement: .shared)
        try Pool.withPool(processes: 1, initializer: InstallWorkerGate(gate: gate), startMethod: method) { pool throws in
            let missed = try Self.missedCallbacks(gate: gate) { value in pool.applyAsync(GatedAnswer(value: value)) }
            #expect(missed.count == 0, "missed in \(missed.count) of \(Self.tries) tries, first \(missed.prefix(5))")
        }
    }

    @Test("map_async: the whole list's callback has run when get() returns (CPython's test_map_async_callbacks)")
    func mapAsyncCallbacks() throws {
        try ThreadPool.withPool(threads: 2) { (pool: ThreadPool) throws in
            for attempt in 0..<200 {
                let gate = Event()
                let called = Atomic<Int>(0)
                let whole = pool.mapAsync(0..<4, chunkSize: 1) { (item: Int) -> Int in gate.wait(); return item + attempt }
                whole.onCompletion { if case .success(let values) = $0, values.count == 4 { called.add(1, ordering: .releasing) } }
                gate.set()
                #expect(try whole.get() == [0, 1, 2, 3].map { $0 + attempt })
                #expect(called.load(ordering: .acquiring) == 1)
            }
        }
        try Pool.withPool(processes: 2) { pool throws in
            for _ in 0..<50 {
                let called = Atomic<Int>(0)
                let whole = pool.mapAsync(SquarePoolFunction.self, 0..<8, chunkSize: 3)
                whole.onCompletion { if case .success = $0 { called.add(1, ordering: .releasing) } }
                #expect(try whole.get() == (0..<8).map { $0 * $0 })
                #expect(called.load(ordering: .acquiring) == 1)
            }
        }
    }

    @Test("a callback that waits for its own result stops the program with a message")
    func callbackWaitingForItsResult() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let pool = ThreadPool(threads: 1)
            let gate = Event()
            let pending = pool.applyAsync { gate.wait(); return 1 }
            pending.onCompletion { _ in _ = try? pending.get() }
            gate.set()
            _ = pending.wait(timeout: .seconds(30))
        }
        #expect(result?.standardErrorText.contains("called from a completion callback of the same result") == true)
    }
}
