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
// @unchecked: inherited from Semaphore; adds no state.
public final class BoundedSemaphore: Semaphore, @unchecked Sendable {
    /// Creates a process-local semaphore holding `value` units, which is also its maximum.
    public convenience init(value: Int = 1, name: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        self.init(value: value, bounded: true, name: name, site: CreationSite(file: file, line: line), storage: Semaphore.localStorage())
    }

    /// Every semaphore initializer ends here, so that the ones this class inherits (such as
    /// `BoundedSemaphore(value:placement:)`) make a bounded semaphore whatever they pass.
    override init(value: Int, bounded: Bool, name: String?, site: CreationSite, storage: SyncStorage, adopted: Bool = false) {
        super.init(value: value, bounded: true, name: name, site: site, storage: storage, adopted: adopted)
    }
}
