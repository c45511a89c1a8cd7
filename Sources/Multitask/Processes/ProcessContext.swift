/// A start method bundled with the objects that use it (Python's `get_context(method)`).
///
/// Libraries can create processes with a context of their own instead of changing
/// ``Multitask/defaultStartMethod`` for the whole program.
///
/// ```swift
/// let spawn = ProcessContext(startMethod: .spawn)
/// let p = spawn.process(entry: Square(number: 7))
/// try p.start()
/// p.join()
/// ```
public struct ProcessContext: Sendable, Hashable {
    /// The start method of every process this context creates.
    public let startMethod: StartMethod

    /// A context for `startMethod`.
    public init(startMethod: StartMethod) {
        self.startMethod = startMethod
    }

    /// A process running `entry` with this context's start method.
    public func process(name: String? = nil, daemon: Bool = false, stdin: ChildStandardInput = .null, entry: some ProcessEntry) -> Process {
        Process(name: name, daemon: daemon, startMethod: startMethod, stdin: stdin, entry: entry)
    }

    /// A process running `target`; only a `.fork` context can run a closure (anything else is
    /// a programmer error).
    public func process(name: String? = nil, daemon: Bool = false, stdin: ChildStandardInput = .null, target: @escaping @Sendable () throws -> Void) -> Process {
        Process(name: name, daemon: daemon, startMethod: startMethod, stdin: stdin, target: target)
    }
}
