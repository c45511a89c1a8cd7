/// Where a synchronization primitive keeps its state, and so who it can synchronize.
///
/// `.local` primitives live in the creating process's memory and use private futexes: they
/// synchronize threads, and stop the program with a clear message if a forked child uses
/// one. `.shared` primitives live in a shared-memory segment and use shared futexes: they
/// synchronize threads of every process that has the segment mapped (children created after
/// the primitive, by fork, inherit it).
///
/// Every primitive takes one: `Lock`, `RLock`, `Condition`, `Semaphore`, `BoundedSemaphore`,
/// `Event` and `Barrier` have an `init(placement:)` form with the same API as their local
/// form. Shared `Lock`s and `RLock`s record the owning process, so the next acquirer takes
/// over a lock whose holder died instead of waiting forever.
///
/// `.shared` primitives are `Codable` as handles, so a value sent to another process (a
/// ``ProcessEntry``, a queue element) may contain them; `.local` ones throw when encoded.
///
/// ```swift
/// let lock = try Lock(placement: .shared)
/// // fork a child; both processes exclude each other through `lock`
/// ```
public enum Placement: Sendable, Hashable {
    /// Process-local: threads of the creating process only.
    case local
    /// Process-shared: threads of every process that shares the memory.
    case shared
}
