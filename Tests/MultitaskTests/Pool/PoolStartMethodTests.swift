import Glibc
import Testing
@testable import Multitask

/// The process pool with workers started by `.spawn` and `.forkserver`: the worker's socket
/// and status page travel in a `PoolWorkerEntry` instead of being inherited by a fork.
@Suite("Process pool with spawned and fork-server workers", .timeLimit(.minutes(3)))
struct PoolStartMethodTests {
    @Test("map, applyAsync and the initializer work", arguments: [StartMethod.spawn, .forkserver])
    func basics(method: StartMethod) throws {
        try Pool.withPool(processes: 2, initializer: MarkInitialized(marker: 5), startMethod: method) { pool throws in
            #expect(pool.startMethod == method)
            #expect(try pool.map(SquarePoolFunction.self, Array(0..<500), chunkSize: 7) == (0..<500).map { $0 * $0 })
            #expect(try pool.applyAsync(ActionTask(action: .answer, value: 42)).get(timeout: .seconds(30)) == 42)
            let marks = try (0..<6).map { _ in pool.applyAsync(ReadInitializerMark()) }.map { try $0.get(timeout: .seconds(30)) }
            #expect(marks == Array(repeating: 5, count: 6))
            // The workers are not this process's forks: their code started from main.
            let pids = try (0..<6).map { _ in pool.applyAsync(ActionTask(action: .reportPID)) }.map { try $0.get(timeout: .seconds(30)) }
            #expect(!pids.contains(Int(getpid())))
        }
    }

    @Test("a killed worker fails exactly its task and is replaced; a timeout stops its task", arguments: [StartMethod.spawn, .forkserver])
    func resilience(method: StartMethod) throws {
        var workers = Set<Int32>()
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            workers.formUnion(pool.workerPIDs)
            let before = (0..<10).map { pool.applyAsync(ActionTask(action: .answer, value: $0)) }
            let crashing = pool.applyAsync(ActionTask(action: .killSelf))
            let after = (10..<20).map { pool.applyAsync(ActionTask(action: .answer, value: $0)) }
            #expect(throws: PoolError.self) { try crashing.get(timeout: .seconds(30)) }
            do {
                _ = try crashing.get(timeout: .seconds(1))
            } catch let PoolError.workerCrashed(signal, _, _, _) {
                #expect(signal == SIGKILL)
            }
            for (index, result) in (before + after).enumerated() {
                #expect(try result.get(timeout: .seconds(30)) == index)
            }
            let slow = pool.applyAsync(ActionTask(action: .sleep, value: 60_000), timeout: .milliseconds(300))
            #expect {
                try slow.get(timeout: .seconds(30))
            } throws: { error in
                if case PoolError.taskTimedOut = error { return true }
                return false
            }
            #expect(try pool.applyAsync(ActionTask(action: .answer, value: 7)).get(timeout: .seconds(30)) == 7)
            #expect(eventually(within: .seconds(20)) { pool.workerPIDs.count == 2 })
            workers.formUnion(pool.workerPIDs)
        }
        #expect(eventually(within: .seconds(10)) { workers.allSatisfy(isGoneWithoutZombie) })
    }

    @Test("maxTasksPerChild recycles fork-server workers without failing tasks")
    func recycling() throws {
        try Pool.withPool(processes: 2, maxTasksPerChild: 3, startMethod: .forkserver) { pool throws in
            let pids = try (0..<12).map { _ in pool.applyAsync(ActionTask(action: .reportPID)) }.map { try $0.get(timeout: .seconds(30)) }
            #expect(Set(pids).count >= 4)
        }
    }

    @Test("workers that die in their initializer fail the queued tasks instead of respawning forever",
          arguments: [StartMethod.fork, .forkserver])
    func initializerDeath(method: StartMethod) throws {
        var workers = Set<Int32>()
        try Pool.withPool(processes: 2, initializer: ActionTask(action: .exitProcess, value: 3), startMethod: method) { pool throws in
            workers.formUnion(pool.workerPIDs)
            let results = (0..<5).map { pool.applyAsync(ActionTask(action: .answer, value: $0)) }
            for result in results {
                #expect {
                    try result.get(timeout: .seconds(60))
                } throws: { error in
                    guard case let PoolError.workersCannotStart(count, signal, exitCode) = error else { return false }
                    return count >= PoolDispatcher.earlyDeathLimit && signal == nil && exitCode == 3
                }
            }
            workers.formUnion(pool.workerPIDs)
        }
        #expect(eventually(within: .seconds(10)) { workers.allSatisfy(isGoneWithoutZombie) })
    }

    @Test("an initializer carrying a Queue (Python's initargs=(queue,)) reaches every worker", arguments: [StartMethod.fork, .spawn, .forkserver])
    func initializerWithQueue(method: StartMethod) throws {
        let reports = try Multitask.Queue<Int32>()
        try Pool.withPool(processes: 2, initializer: ReportWorkerPID(queue: reports), startMethod: method) { pool throws in
            let pids = try (0..<2).map { _ in try reports.get(timeout: .seconds(60)) }
            #expect(Set(pids).count == 2)
            #expect(!pids.contains(getpid()))
            // The workers run tasks as usual after the initializer.
            #expect(try pool.map(SquarePoolFunction.self, [1, 2, 3]) == [1, 4, 9])
        }
    }
}

/// An initializer that reports its worker's pid on a queue created by the test.
struct ReportWorkerPID: PoolTask {
    var queue: Multitask.Queue<Int32>
    func run() throws -> Int {
        try queue.put(getpid())
        return 0
    }
}
