#if MPI
import Glibc
import Multitask
import Synchronization

/// x * x.
enum Square: PoolFunction {
    static func run(_ x: Int) -> Int { x * x }
}

/// x.
enum Identity: PoolFunction {
    static func run(_ x: Int) -> Int { x }
}

/// base to the power exponent.
enum Power: PoolBinaryFunction {
    static func run(_ base: Int, _ exponent: Int) -> Int { (0..<exponent).reduce(1) { result, _ in result * base } }
}

/// Sleeps for its input in milliseconds; returns it.
enum Sleeper: PoolFunction {
    static func run(_ milliseconds: Int) -> Int {
        usleep(UInt32(milliseconds) * 1000)
        return milliseconds
    }
}

/// A sleeping task, by its value.
struct SleeperTask: PoolTask {
    var milliseconds: Int
    func run() -> Int { Sleeper.run(milliseconds) }
}

/// A CPU-bound unit of work: `iterations` steps of xorshift.
enum CPUUnit: PoolFunction {
    /// About 0.2 s in a release build here.
    static let iterations = 200_000_000

    static func run(_ iterations: Int) -> UInt64 {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(iterations)
        for _ in 0..<iterations {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
        }
        return state
    }
}

/// The smallest task: value + 1.
struct Increment: PoolTask {
    var value: Int
    func run() -> Int { value + 1 }
}

/// A task with a `Codable` (not raw) input and output.
struct Greeting: PoolTask {
    var name: String
    func run() -> String { "hello \(name)" }
}

/// A task that traps.
struct Trap: PoolTask {
    func run() -> Int { fatalError("the probe traps on purpose") }
}

/// The error `Thrower` throws.
struct ProbeError: Error {}

/// A task that throws.
struct Thrower: PoolTask {
    func run() throws -> Int { throw ProbeError() }
}

/// The pid of the MPI rank serving this worker: the parent of the worker's fork server.
enum NodePID: PoolFunction {
    static func run(_: Int) -> Int32 {
        guard let fields = MPIProbe.procStat(getppid()), fields.count > 3 else { return -1 }
        return Int32(fields[3]) ?? -1
    }
}

/// A number set from the dispatcher thread and read at the end.
final class ProbeCounter: Sendable {
    private let stored = Atomic<Int>(0)
    func set(_ value: Int) { stored.store(value, ordering: .relaxed) }
    func add(_ value: Int) { stored.add(value, ordering: .relaxed) }
    var value: Int { stored.load(ordering: .relaxed) }
}
#endif
