import Glibc
import Testing
@testable import Multitask

@Suite("Process pool basics", .timeLimit(.minutes(2)))
struct PoolBasicsTests {
    @Test("applyAsync, apply and get(timeout:) return the task's output", arguments: pooledStartMethods)
    func applyAsyncAndApply(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let pending = pool.applyAsync(ActionTask(action: .answer, value: 42))
            #expect(try pending.get(timeout: .seconds(20)) == 42)
            #expect(pending.isReady && pending.isSuccessful)
            #expect(try pool.apply(ActionTask(action: .answer, value: 7)) == 7)
            let called = Event()
            pending.onCompletion { outcome in if case .success(42) = outcome { called.set() } }
            #expect(called.wait(timeout: .seconds(5)))
        }
    }

    @Test("map returns outputs in input order, at every chunk size", arguments: pooledStartMethods)
    func mapInOrder(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let inputs = Array(0..<1000)
            for chunk in [1, 7, 1000, 5000] {
                #expect(try pool.map(SquarePoolFunction.self, inputs, chunkSize: chunk) == inputs.map { $0 * $0 })
            }
            #expect(try pool.map(SquarePoolFunction.self, []) == [])
            #expect(try pool.mapAsync(SquarePoolFunction.self, [3, 4], chunkSize: 1).get(timeout: .seconds(20)) == [9, 16])
        }
    }

    @Test("map reports progress up to the total", arguments: pooledStartMethods)
    func mapProgress(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let seen = UnguardedBox<[Int]>([])
            let lock = InternalLock()
            let values = try pool.map(SquarePoolFunction.self, Array(0..<100), chunkSize: 10) { done, total in
                #expect(total == 100)
                lock.withLock { seen.value.append(done) }
            }
            #expect(values.count == 100)
            let reports = lock.withLock { seen.value }
            #expect(reports == reports.sorted() && reports.last == 100 && reports.count == 10)
        }
    }

    @Test("starmap unpacks argument pairs, in order", arguments: pooledStartMethods)
    func starmap(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            #expect(try pool.starmap(PowerPoolFunction.self, [(2, 3), (3, 2), (10, 0)]) == [8, 9, 1])
            #expect(try pool.starmapAsync(PowerPoolFunction.self, [(2, 10)], chunkSize: 4).get(timeout: .seconds(20)) == [1024])
        }
    }

    @Test("imap yields in input order; imapUnordered yields every outcome once", arguments: pooledStartMethods)
    func imapBoth(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let ordered = pool.imap(SquarePoolFunction.self, Array(0..<50), chunkSize: 3)
            #expect(try ordered.map { try $0.get() } == (0..<50).map { $0 * $0 })
            var unordered = pool.imapUnordered(SquarePoolFunction.self, Array(0..<50), chunkSize: 4)
            var values: [Int] = []
            for _ in 0..<50 { values.append(try unordered.next(timeout: .seconds(20))!.get()) }
            #expect(values.sorted() == (0..<50).map { $0 * $0 })
            #expect(try unordered.next(timeout: .seconds(20)) == nil)
        }
    }

    @Test("an error thrown by a task fails that task only", arguments: pooledStartMethods)
    func errorsStayWithTheirTask(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let outcomes = Array(pool.imap(PickyPoolFunction.self, Array(1...12)))
            for (index, outcome) in outcomes.enumerated() {
                let input = index + 1
                if input % 5 == 0 {
                    guard case .failure(PoolError.taskFailed(let type, let description, let task)) = outcome else {
                        Issue.record("input \(input): expected taskFailed, got \(outcome)")
                        continue
                    }
                    #expect(type.hasSuffix("PoolTestFailure") && description == "bad input \(input)" && task.contains("PickyPoolFunction"))
                } else {
                    #expect(try outcome.get() == input + 1)
                }
            }
            #expect(throws: PoolError.self) { try pool.map(PickyPoolFunction.self, [1, 2, 5, 6]) }
            #expect(throws: PoolError.self) { try pool.apply(ActionTask(action: .throwError, value: 3)) }
            #expect(try pool.apply(ActionTask(action: .answer, value: 5)) == 5)
        }
    }

    @Test("close then join finishes every queued task; later submissions fail as closed", arguments: pooledStartMethods)
    func closeThenJoin(method: StartMethod) throws {
        let pool = try Pool(processes: 2, startMethod: method)
        let results = (0..<40).map { pool.applyAsync(ActionTask(action: .sleep, value: $0 % 3)) }
        pool.close()
        #expect(pool.join(timeout: .seconds(60)))
        for (index, result) in results.enumerated() {
            #expect(try result.get(timeout: .seconds(1)) == index % 3)
        }
        #expect(throws: PoolError.closed) { try pool.applyAsync(ActionTask(action: .answer)).get(timeout: .seconds(5)) }
        #expect(pool.workerPIDs.isEmpty)
    }

    @Test("terminate stops queued and running tasks and kills the workers", arguments: pooledStartMethods)
    func terminateStops(method: StartMethod) throws {
        let pool = try Pool(processes: 2, startMethod: method)
        let pids = pool.workerPIDs
        let results = (0..<20).map { _ in pool.applyAsync(ActionTask(action: .sleep, value: 5000)) }
        _ = eventually(within: .seconds(10)) { pids.contains { pid in readFile("/proc/\(pid)/stat") != nil } }
        pool.terminate()
        #expect(pool.join(timeout: .seconds(20)))
        for result in results {
            #expect(throws: PoolError.terminated) { try result.get(timeout: .seconds(5)) }
        }
        #expect(pids.allSatisfy(processIsGone))
    }

    @Test("the scoped form leaves no worker behind even when its body throws", arguments: pooledStartMethods)
    func scopedCleansUp(method: StartMethod) throws {
        struct BodyFailed: Error {}
        let pids = UnguardedBox<[Int32]>([])
        #expect(throws: BodyFailed.self) {
            try Pool.withPool(processes: 3, startMethod: method) { pool throws in
                pids.value = pool.workerPIDs
                _ = pool.applyAsync(ActionTask(action: .sleep, value: 5000))
                throw BodyFailed()
            }
        }
        #expect(pids.value.count == 3)
        #expect(eventually(within: .seconds(10)) { pids.value.allSatisfy(processIsGone) })
    }

    @Test("the initializer runs in every worker before its tasks", arguments: pooledStartMethods)
    func initializerRuns(method: StartMethod) throws {
        try Pool.withPool(processes: 2, initializer: MarkInitialized(marker: 77), startMethod: method) { pool throws in
            let marks = try (0..<8).map { _ in pool.applyAsync(ReadInitializerMark()) }.map { try $0.get(timeout: .seconds(20)) }
            #expect(marks == Array(repeating: 77, count: 8))
        }
        #expect(InitializerMark.value == 0)
    }
}
