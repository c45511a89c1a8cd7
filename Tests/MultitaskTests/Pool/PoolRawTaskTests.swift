import Testing
@testable import Multitask

/// A task that travels as its raw bytes (``BitwiseCodable``), with fields of several sizes.
struct RawAffineTask: PoolTask, BitwiseCodable {
    var value: Int
    var scale: Int32
    var offset: Int16
    func run() -> Int { value * Int(scale) + Int(offset) }
}

@Suite("Process pool raw tasks", .timeLimit(.minutes(2)))
struct PoolRawTaskTests {
    @Test("raw tasks reach the workers whole, however many are in flight", arguments: pooledStartMethods)
    func rawTasks(method: StartMethod) throws {
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let tasks = (0..<3000).map { RawAffineTask(value: $0, scale: Int32($0 % 7) - 3, offset: Int16($0 % 11) - 5) }
            let results = tasks.map { pool.applyAsync($0) }
            for (task, result) in zip(tasks, results) {
                #expect(try result.get(timeout: .seconds(30)) == task.run())
            }
            #expect(try pool.apply(RawAffineTask(value: -4, scale: 3, offset: 1)) == -11)
        }
    }
}
