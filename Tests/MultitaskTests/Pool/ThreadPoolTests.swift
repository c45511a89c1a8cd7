import Synchronization
import Testing
@testable import Multitask

private struct Boom: Error, Equatable { let item: Int }

@Suite("ThreadPool", .serialized)
struct ThreadPoolTests {
    @Test("applyAsync returns a handle; get, isReady, isSuccessful and callbacks agree")
    func applyAsync() throws {
        try ThreadPool.withPool(threads: 2) { (pool: ThreadPool) throws in
            let result = pool.applyAsync { 6 * 7 }
            #expect(try result.get(timeout: .seconds(30)) == 42)
            #expect(result.isReady && result.isSuccessful)
            let called = Event()
            result.onCompletion { if case .success(42) = $0 { called.set() } }
            #expect(called.wait(timeout: .seconds(5)))
            #expect(try pool.apply { "x" } == "x")
        }
    }

    @Test("an error thrown by a task is that task's result only")
    func errorsStayWithTheirTask() throws {
        try ThreadPool.withPool(threads: 2) { (pool: ThreadPool) throws in
            let bad = pool.applyAsync { () throws -> Int in throw Boom(item: 1) }
            let good = pool.applyAsync { 1 }
            #expect(throws: Boom(item: 1)) { try bad.get(timeout: .seconds(30)) }
            #expect(!bad.isSuccessful)
            #expect(try good.get(timeout: .seconds(30)) == 1)
        }
    }

    @Test("map keeps input order for every chunk size and reports progress up to the total")
    func mapOrder() throws {
        let items = Array(0..<1_000)
        try ThreadPool.withPool(threads: 3) { (pool: ThreadPool) throws in
            for chunk in [1, 7, 1_000, 5_000] {
                let seen = Mutex<[Int]>([])
                let squares = try pool.map(items, chunkSize: chunk, progress: { done, total in
                    seen.withLock { $0.append(done) }
                    #expect(total == items.count)
                }) { $0 * $0 }
                #expect(squares == items.map { $0 * $0 })
                let reports = seen.withLock { $0 }
                #expect(reports == reports.sorted() && reports.last == items.count)
            }
            #expect(try pool.map([Int]()) { $0 } == [])
        }
    }

    @Test("map throws the first error in input order")
    func mapThrows() throws {
        try ThreadPool.withPool(threads: 2) { (pool: ThreadPool) throws in
            #expect(throws: Boom(item: 3)) {
                try pool.map(Array(0..<10)) { i in
                    if i == 3 || i == 8 { throw Boom(item: i) }
                    return i
                }
            }
            return
        }
    }

    @Test("imap yields in input order, imapUnordered yields every outcome once")
    func imap() throws {
        try ThreadPool.withPool(threads: 3) { (pool: ThreadPool) throws in
            let ordered = pool.imap(Array(0..<50)) { i -> Int in
                if i % 10 == 0 { Workloads.sleep(milliseconds: 2) }
                return i
            }
            #expect(ordered.compactMap { try? $0.get() } == Array(0..<50))
            var unordered = pool.imapUnordered(Array(0..<50)) { $0 }
            var got: [Int] = []
            for _ in 0..<50 { got.append(try unordered.next(timeout: .seconds(30))!.get()) }
            #expect(got.sorted() == Array(0..<50))
        }
    }

    @Test("close then join finishes every queued task")
    func closeThenJoin() throws {
        let pool = ThreadPool(threads: 2)
        let count = Atomic<Int>(0)
        let results = (0..<200).map { _ in pool.applyAsync { count.add(1, ordering: .relaxed) } }
        pool.close()
        pool.join()
        let total = count.load(ordering: .relaxed)
        #expect(total == 200)
        #expect(results.allSatisfy { $0.isReady && $0.isSuccessful })
        #expect(throws: PoolError.closed) { try pool.applyAsync { 1 }.get(timeout: .seconds(1)) }
    }

    @Test("terminate fails queued tasks with .terminated and the workers end")
    func terminate() throws {
        let pool = ThreadPool(threads: 1)
        let gate = Event(), started = Event()
        let first = pool.applyAsync {
            started.set()
            return gate.wait(timeout: .seconds(30))
        }
        let queued = (0..<10).map { i in pool.applyAsync { i } }
        #expect(started.wait(timeout: .seconds(30)))
        pool.terminate()
        gate.set()
        pool.join()
        #expect(try first.get(timeout: .seconds(30)))
        for result in queued {
            #expect(throws: PoolError.terminated) { try result.get(timeout: .seconds(30)) }
        }
    }

    @Test("the scoped form leaves no worker thread behind even when its body throws")
    func scopedCleanup() {
        // Only ThreadPool workers: other suites' threads (a process Pool's dispatcher) come and go.
        func workers() -> Int { Thread.all.filter { $0.name.hasPrefix("ThreadPool-worker") }.count }
        let before = workers()
        #expect(throws: Boom(item: 0)) {
            try ThreadPool.withPool(threads: 3) { _ in throw Boom(item: 0) }
        }
        #expect(workers() == before)
    }

    @Test("get(timeout:) throws timedOut while the task runs")
    func getTimeout() throws {
        try ThreadPool.withPool(threads: 1) { (pool: ThreadPool) throws in
            let gate = Event()
            let slow = pool.applyAsync { gate.wait(timeout: .seconds(30)) }
            #expect(throws: PoolError.timedOut) { try slow.get(timeout: .milliseconds(20)) }
            gate.set()
            #expect(try slow.get(timeout: .seconds(30)))
        }
    }

    @Test("run and map are awaitable from async code")
    func asyncUse() async throws {
        let pool = ThreadPool(threads: 2)
        defer { pool.terminate(); pool.join() }
        #expect(try await pool.run { 2 + 2 } == 4)
        #expect(try await pool.map(Array(0..<100), chunkSize: 9) { $0 + 1 } == Array(1...100))
        await #expect(throws: Boom(item: 5)) { try await pool.run { () throws -> Int in throw Boom(item: 5) } }
    }

    @Test("cancelling the awaiting task cancels queued work")
    func cancellation() async throws {
        let pool = ThreadPool(threads: 1)
        defer { pool.terminate(); pool.join() }
        let gate = Event()
        let blocker = pool.applyAsync { gate.wait(timeout: .seconds(30)) }
        let ran = Atomic<Bool>(false)
        let waiter = Task { try await pool.run { ran.store(true, ordering: .relaxed) } }
        waiter.cancel()
        await #expect(throws: PoolError.cancelled) { try await waiter.value }
        gate.set()
        _ = try blocker.get(timeout: .seconds(30))
        #expect(try pool.apply { 1 } == 1)
        let didRun = ran.load(ordering: .relaxed)
        #expect(!didRun)
    }

    @Test("joining a pool that still accepts work stops with a precise message")
    func joinWhileOpen() async {
        await #expect(processExitsWith: .failure) {
            ThreadPool(threads: 1).join()
        }
    }
}

private enum Workloads {
    static func sleep(milliseconds: Int) { _ = Event().wait(timeout: .milliseconds(milliseconds)) }
}
