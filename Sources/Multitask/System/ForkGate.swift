import CShim

/// Keeps the library's own threads quiet at every fork the library makes.
///
/// A fork copies the memory of every thread but runs only one: a lock that another thread held
/// at that instant stays held forever in the child. The Swift runtime's metadata and
/// conformance caches and its lazy-global locks are such locks, and the library's own threads
/// (the process supervisor, pool dispatchers) run Swift code all the time. Such a thread joins
/// the gate when it starts: from then on it holds the gate whenever it runs and lets go of it
/// only while it is blocked in one of the shim's waits (futex, epoll, `waitid`), where it holds
/// no runtime lock. A fork (``ProcessControl/forkOnCleanThread(_:)``) closes the gate, so it
/// happens while every such thread is blocked in a wait, and none leaves its wait until the
/// fork is done. A fork waits at most 200 ms for that; one that had to go ahead anyway is
/// counted in ``unquietForkCount``.
///
/// User threads are not part of this: the library cannot know where they stand (see the
/// README's fork-safety section).
enum ForkGate {
    /// Makes the calling thread one of the library's own threads. The corresponding C function
    /// is `cshim_fork_gate_join`.
    static func joinCurrentThread() { cshim_fork_gate_join() }

    /// The calling thread is no longer held to the gate (it ends, or runs user code that may
    /// block outside the shim's waits). The corresponding C function is `cshim_fork_gate_leave`.
    static func leaveCurrentThread() { cshim_fork_gate_leave() }

    /// Runs `body` (user code) outside the gate when the calling thread is one of the
    /// library's own threads: a fork then does not wait for it.
    static func outside<Result>(_ body: () throws -> Result) rethrows -> Result {
        let joined = cshim_fork_gate_is_joined() != 0
        if joined { leaveCurrentThread() }
        defer { if joined { joinCurrentThread() } }
        return try body()
    }

    /// How many threads of this process are held to the gate (the library's own threads).
    static var threadCount: Int { Int(cshim_fork_gate_thread_count()) }

    /// How many forks of this process went ahead while a library thread was still busy.
    static var unquietForkCount: UInt32 { cshim_unquiet_fork_count() }
}
