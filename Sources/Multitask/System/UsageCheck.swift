/// Stops the program with `message` unless `condition` holds: how Multitask reports a
/// programmer error (DESIGN decision 10). Unlike `precondition`, whose message is dropped in
/// optimized builds, the message is kept in every build.
@inline(__always)
package func usageCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { usageFailure(message(), file: file, line: line) }
}

/// Stops the program with `message` (a programmer error), in every build.
@inline(never)
func usageFailure(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message, file: file, line: line)
}
