import Glibc
@testable import Multitask

enum SquarePoolFunction: PoolFunction {
    static func run(_ x: Int) -> Int { x * x }
}

enum PowerPoolFunction: PoolBinaryFunction {
    static func run(_ base: Int, _ exponent: Int) -> Int { (0..<exponent).reduce(1) { result, _ in result * base } }
}

struct PoolTestFailure: Error, CustomStringConvertible {
    var value: Int
    var description: String { "bad input \(value)" }
}

/// Throws for multiples of 5.
enum PickyPoolFunction: PoolFunction {
    static func run(_ x: Int) throws -> Int {
        if x % 5 == 0 { throw PoolTestFailure(value: x) }
        return x + 1
    }
}

/// What a chaos task does besides answering.
enum PoolTestAction: Int, Codable, Sendable {
    case answer, throwError, killSelf, trap, exitProcess, sleep, allocate, reportPID
}

struct ActionTask: PoolTask {
    var action: PoolTestAction
    var value: Int = 0
    func run() throws -> Int {
        switch action {
        case .answer: return value
        case .throwError: throw PoolTestFailure(value: value)
        case .killSelf: kill(getpid(), SIGKILL)
        case .trap:
            silenceStandardError()
            fatalError("chaos task \(value) traps on purpose")
        case .exitProcess: exit(Int32(value))
        case .sleep: usleep(useconds_t(value * 1000))
        case .allocate:
            // Beyond a worker's memory limit the runtime's "failed to allocate" goes nowhere.
            silenceStandardError()
            let bytes = [UInt8](repeating: 1, count: value)
            return Int(bytes[value / 2])
        case .reportPID: return Int(getpid())
        }
        return value
    }
}

/// Records, in each worker, that the initializer ran.
struct MarkInitialized: PoolTask {
    var marker: Int
    func run() -> Int {
        InitializerMark.value = marker
        return marker
    }
}

enum InitializerMark {
    nonisolated(unsafe) static var value = 0
}

struct ReadInitializerMark: PoolTask {
    func run() -> Int { InitializerMark.value }
}

/// The worker's side of a gated task: the event the initializer handed over.
enum WorkerGate {
    nonisolated(unsafe) static var event: Event?
}

/// An initializer that gives each worker the test's shared gate.
struct InstallWorkerGate: PoolTask {
    var gate: Event
    func run() -> Int {
        WorkerGate.event = gate
        return 0
    }
}

/// Waits for the gate, then answers `value`: the test registers callbacks while it waits, so
/// they are registered before the task completes.
struct GatedAnswer: PoolTask {
    var value: Int
    func run() -> Int {
        WorkerGate.event?.wait()
        return value
    }
}

/// Waits for the gate, then returns its input.
enum GatedPoolFunction: PoolFunction {
    static func run(_ x: Int) -> Int {
        WorkerGate.event?.wait()
        return x
    }
}

/// Children of this process that are zombies.
func zombieChildren() -> [Int32] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var found: [Int32] = []
    let me = getpid()
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = Int32(name) else { continue }
        if processParent(pid) == me, processState(pid) == "Z" { found.append(pid) }
    }
    return found
}

/// The number of open descriptors of this process.
func openDescriptorCount() -> Int {
    guard let dir = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(dir) }
    var count = 0
    while readdir(dir) != nil { count += 1 }
    return count
}

/// Whether process `pid` no longer exists (or is not our child any more).
func processIsGone(_ pid: Int32) -> Bool {
    kill(pid, 0) != 0 || processParent(pid) != getpid() || processState(pid) == "Z"
}

/// The start methods every pool test runs with: the default (`.forkserver`) and `.fork`.
let pooledStartMethods: [StartMethod] = [.forkserver, .fork]
