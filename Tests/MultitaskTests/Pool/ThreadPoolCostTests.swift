import Dispatch
import Glibc
import Synchronization
import Testing
@testable import Multitask

/// What a task costs a ``ThreadPool``: objects allocated per task (a test), and throughput
/// against Dispatch (a measurement, run on demand with `MULTITASK_TPOOL_BENCH=1`).
@Suite("ThreadPool costs", .serialized, .timeLimit(.minutes(5)))
struct ThreadPoolCostTests {
    static let tasks = 20_000

    /// Objects allocated per task by `body` run over `tasks` tasks: the least of three runs
    /// (another thread of the test process may allocate during one of them).
    static func allocationsPerTask(_ tasks: Int, _ body: () -> Void) -> Double? {
        var least: Int?
        for _ in 0..<3 {
            guard let count = AllocationCounter.count(body) else { return nil }
            least = min(least ?? count, count)
        }
        return least.map { Double($0) / Double(tasks) }
    }

    @Test("applyAsync and map with chunk size 1 allocate at most 3 objects per task",
          .enabled(if: AllocationCounter.isAvailable, "the runtime has no allocation hook"))
    func allocationsPerTask() async {
        // Counted in a child process, which ends right after (see AllocationCounter).
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let (apply, map) = ThreadPool.withPool(threads: 2) { pool in
                let tasks = ThreadPoolCostTests.tasks
                let apply = ThreadPoolCostTests.allocationsPerTask(tasks) {
                    var results: [AsyncResult<Int>] = []
                    results.reserveCapacity(tasks)
                    for index in 0..<tasks { results.append(pool.applyAsync { index }) }
                    for result in results { result.wait() }
                }
                let items = Array(0..<tasks)
                let map = ThreadPoolCostTests.allocationsPerTask(tasks) { _ = try? pool.map(items) { $0 } }
                return (apply!, map!)
            }
            print("applyAsync \(apply), map chunk 1 \(map) objects per task")
            fflush(nil)
            exit(apply <= 3 && map <= 3 ? 0 : 1)
        }
        let output = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        #expect(output.contains("objects per task"), "child output: \(output)")
    }

    @Test("throughput against Dispatch (prints; MULTITASK_TPOOL_BENCH=1)",
          .enabled(if: getenv("MULTITASK_TPOOL_BENCH") != nil, "a measurement, run on demand"))
    func throughputAgainstDispatch() throws {
        let tasks = 100_000
        let rounds = 7
        var times: [String: [Double]] = [:]
        let pool = ThreadPool()
        defer { pool.terminate(); pool.join() }
        let items = Array(0..<tasks)
        let runs: [(String, () throws -> Void)] = [
            ("ThreadPool.applyAsync", {
                var results: [AsyncResult<Void>] = []
                results.reserveCapacity(tasks)
                for _ in 0..<tasks { results.append(pool.applyAsync {}) }
                for result in results { result.wait() }
            }),
            ("ThreadPool.map chunk 1", { _ = try pool.map(items) { $0 } }),
            ("Dispatch async + group", {
                let group = DispatchGroup()
                let queue = DispatchQueue.global()
                for _ in 0..<tasks { queue.async(group: group) {} }
                group.wait()
            }),
        ]
        for _ in 0..<rounds {
            for (name, run) in runs {
                let start = Deadline.now.nanoseconds
                try run()
                times[name, default: []].append(Double(Deadline.now.nanoseconds - start))
            }
        }
        for (name, _) in runs {
            let sorted = times[name]!.sorted()
            let median = sorted[sorted.count / 2]
            print("\(name): median \(Int(Double(tasks) / median * 1e9 / 1e3))k tasks/s over \(rounds) rounds (all: \(sorted.map { Int(Double(tasks) / $0 * 1e6) })k)")
        }
    }
}
