/// Work that a child process runs, given as a value: the start method for `.spawn` and
/// `.forkserver`, which start a fresh copy of the program and cannot carry a closure there.
///
/// The value is encoded in the parent, sent with its type's mangled name, and decoded in the
/// child, which is the same executable, so the type exists there: no registration is needed.
/// The type must be visible beyond its file (`internal` or `public`; nested and generic types
/// are fine). A `private` or `fileprivate` type has no stable name across processes and is
/// rejected by `Process.start()` unless the start method is `.fork`.
///
/// `run()` runs in the child. An error it throws is printed on the child's standard error with
/// the process name, and the child's exit code is 1.
///
/// The value may hold shared objects: a ``Queue`` (or `SimpleQueue`, `JoinableQueue`), a pipe
/// ``Connection``, ``SharedValue``, ``SharedArray``, ``SharedMemory`` and any primitive made
/// with `placement: .shared`. They travel as handles — their descriptors are passed to the
/// child beside the value — and decode there to the very same queue, pipe end or lock
/// (Python's `Process(target=f, args=(queue,))`).
///
/// ```swift
/// struct Square: ProcessEntry {
///     var number: Int
///     func run() throws { print(number * number) }
/// }
/// let p = Process(entry: Square(number: 7))   // .forkserver by default
/// try p.start()
/// p.join()
/// ```
public protocol ProcessEntry: Codable, Sendable {
    /// The work of the child process.
    func run() throws
}
