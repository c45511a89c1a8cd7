import Distributed
import Glibc
@testable import Multitask

/// A Codable error thrown by a distributed method: it comes back as itself.
struct ParseFailure: Error, Codable, Equatable {
    var position: Int
    var reason: String
}

/// An error that is not Codable: only its type name and description come back.
struct OpaqueFailure: Error, CustomStringConvertible {
    var description: String { "opaque failure 42" }
}

/// A point, to check user structs as arguments and generic substitutions.
struct ActorTestPoint: Codable, Equatable, Sendable {
    var x: Int
    var y: Double
}

/// The actor the tests place in child processes (and in the test process).
distributed actor Calculator: HostableActor {
    var total = 0

    distributed func add(_ a: Int, _ b: Int) -> Int { a + b }

    distributed func accumulate(_ value: Int) -> Int {
        total += value
        return total
    }

    distributed func describe(_ point: ActorTestPoint) -> String { "(\(point.x), \(point.y))" }

    distributed func echo<Value: Codable & Sendable>(_ value: Value) -> Value { value }

    distributed func pair<A: Codable & Sendable, B: Codable & Sendable>(_ a: A, _ b: B) -> [String] { ["\(a)", "\(b)"] }

    distributed func parse(_ text: String) throws -> Int {
        guard let value = Int(text) else { throw ParseFailure(position: 0, reason: "not a number: \(text)") }
        return value
    }

    distributed func failOpaquely() throws { throw OpaqueFailure() }

    distributed func pid() -> Int32 { getpid() }

    distributed func nap(milliseconds: Int) async throws -> Int {
        try await Task.sleep(for: .milliseconds(milliseconds))
        return milliseconds
    }

    /// Never returns: the host is stuck (the call timeout test).
    distributed func hang() -> Int {
        while true { sleep(1) }
    }

    /// Traps quietly (its message goes to the crash report, not the test output).
    distributed func trap() -> Int {
        silenceStandardError()
        fatalError("calculator traps on purpose")
    }

    /// Kills its own process with SIGKILL.
    distributed func killHost() -> Int {
        kill(getpid(), SIGKILL)
        return 0
    }
}
