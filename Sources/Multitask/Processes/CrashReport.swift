/// What a child process that crashed left behind: the signal that ended it and, for a Swift
/// trap, the runtime's fatal error message (`fatalError`, a failed `precondition`, a forced
/// unwrap of `nil`, an out-of-range index, …).
///
/// Children catch their fatal signals (SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV),
/// record this in memory the parent reads, and die of the same signal at once. Read it from
/// ``Process/crashReport`` or from ``PoolError/workerCrashed(signal:exitCode:task:report:)``.
///
/// ```swift
/// let p = Process { let values: [Int] = []; _ = values[1] }
/// try p.start(); p.join()
/// print(p.crashReport!)   // signal 4 (SIGILL): Fatal error: Index out of range
/// ```
public struct CrashReport: Sendable, Hashable, CustomStringConvertible {
    /// The signal that ended the child.
    public let signal: Int32
    /// The Swift runtime's fatal error message, nil when the crash was not a Swift trap (a
    /// segmentation fault in C code, say).
    public let message: String?

    /// Creates a report; the library makes them, tests may too.
    public init(signal: Int32, message: String?) {
        self.signal = signal
        self.message = message
    }

    public var description: String {
        let name = SignalName.of(signal)
        guard let message, !message.isEmpty else { return "signal \(signal) (\(name))" }
        return "signal \(signal) (\(name)): \(message)"
    }
}
