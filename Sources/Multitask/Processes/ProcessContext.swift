/// A start method bundled with the objects that use it (Python's `get_context(method)`).
///
/// Libraries can create processes with a context of their own instead of changing
/// ``Multitask/defaultStartMethod`` for the whole program.
///
/// A context creates processes that run ``ProcessEntry`` values. A closure always runs in a
/// `.fork` child, whatever the context, so a context has no closure form (Python's
/// `get_context("fork").Process(target=f)` is `Process { f() }`); writing one does not compile.
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

    /// Not available: a closure always runs in a `.fork` child, whatever the context. Create
    /// it with `Process { … }`, or describe the work as a ``ProcessEntry`` value.
    @available(*, unavailable, message: "a closure always runs in a .fork child: use Process { ... }, or pass a ProcessEntry value (entry:) to use the context's start method")
    public func process(name: String? = nil, daemon: Bool = false, stdin: ChildStandardInput = .null, target: @escaping @Sendable () throws -> Void) -> Process {
        fatalError("unavailable")
    }
}
