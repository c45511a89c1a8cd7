import CShim

/// The number of forks this process's line has gone through: 0 in the original program, one
/// more in each fork child (the C shim's `pthread_atfork` child handler counts it).
///
/// State that belongs to one process — a cached pid, a private lock's waiters — records the
/// generation it was made in and is stale when ``current`` differs.
///
/// ```swift
/// let made = ForkGeneration.current
/// // … later, perhaps in a fork child:
/// if made != ForkGeneration.current { /* rebuild */ }
/// ```
@usableFromInline
enum ForkGeneration {
    /// The current generation (a relaxed atomic load; on every lock's fast path). The
    /// corresponding C function is `cshim_fork_generation`.
    @inlinable @inline(__always)
    static var current: UInt32 { cshim_fork_generation() }
}
