import Glibc
import Testing
@testable import Multitask

/// A mutable value shared between test threads. It does no locking of its own: each test
/// guards it with the primitive under test, which is the point of the test.
final class UnguardedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

extension ExitTest.Result {
    /// What the exit test's child wrote on standard error, as text.
    var standardErrorText: String { String(decoding: standardErrorContent, as: UTF8.self) }
}

/// How long `body` took.
func elapsed(_ body: () throws -> Void) rethrows -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    return clock.now - start
}

/// Polls `condition` every millisecond until it holds or `timeout` passes; returns its last
/// answer.
func eventually(within timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let start = clock.now
    while !condition() {
        if clock.now - start >= timeout { return condition() }
        _ = Event().wait(timeout: .milliseconds(1))
    }
    return true
}

/// In an exit test's child: stops it with status 1, saying `what` failed, unless `condition`
/// holds (a `#expect` there is not seen by the parent).
func exitUnless(_ condition: Bool, _ what: @autoclosure () -> String) {
    if !condition {
        writeToStandardError("failed: \(what())\n")
        exit(1)
    }
}
