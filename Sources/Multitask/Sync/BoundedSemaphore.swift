/// A ``Semaphore`` that may never hold more units than it started with (Python's
/// `threading.BoundedSemaphore`).
///
/// Releasing more than was acquired is almost always a bug: here it is a programmer error and
/// stops the program with "released too many times". Everything else is ``Semaphore``.
///
/// ```swift
/// let pool = BoundedSemaphore(value: 2)
/// pool.acquire()
/// pool.release()
/// pool.release()        // stops: released too many times
/// ```
public final class BoundedSemaphore: Semaphore, @unchecked Sendable {
    /// Creates a process-local semaphore holding `value` units, which is also its maximum.
    public init(value: Int = 1, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        super.init(value: value, bounded: true, kind: "BoundedSemaphore", name: name, site: CreationSite(file: file, line: line))
    }
}
