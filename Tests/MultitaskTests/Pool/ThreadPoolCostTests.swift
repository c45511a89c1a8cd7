import Dispatch
import Glibc
import Synchronization
import Testing
@testable import Multitask
import MultitaskBenchmarks

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
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
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
            let line = "applyAsync \(apply), map chunk 1 \(map) objects per task\n"
            _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
            exit(apply <= 3 && map <= 3 ? 0 : 1)
        }
        #expect(result?.standardErrorText.contains("objects per task") == true, "child: \(result?.standardErrorText ?? "")")
    }

    /// The on-demand measurement asked for, if any: `1` (throughput) or `count:WORKLOAD:N`.
    static var benchRequest: String? { getenv("MULTITASK_TPOOL_BENCH").map { String(cString: $0) } }

    @Test("one workload for an outside allocation counter (MULTITASK_TPOOL_BENCH=count:apply|map|pool:N)",
          .enabled(if: benchRequest?.hasPrefix("count:") == true, "a measurement, run on demand"))
    func workloadForCounting() throws {
        // `perf stat -e probe_libswiftCore:swift_allocObject` (or `perf record` per process)
        // over two runs with N and 2N tasks: the difference over N is the cost per task.
        let parts = Self.benchRequest!.split(separator: ":")
        let tasks = Int(parts[2])!
        switch parts[1] {
        case "apply":
            try ThreadPool.withPool(threads: 2) { pool throws in
                for _ in 0..<tasks { pool.applyAsync {} }
                try pool.apply {}
            }
        case "map":
            try ThreadPool.withPool(threads: 2) { pool throws in _ = try pool.map(Array(0..<tasks)) { $0 } }
        default:
            _ = try PoolBenchmark.applyAsyncOverheadMicroseconds(count: tasks)
        }
    }

    @Test("throughput against Dispatch (prints; MULTITASK_TPOOL_BENCH=1)",
          .enabled(if: benchRequest == "1", "a measurement, run on demand"))
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
