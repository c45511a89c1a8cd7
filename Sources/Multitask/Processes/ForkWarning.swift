import Glibc
import Synchronization

/// The one-time warning printed when the program forks while it has other threads, as
/// CPython 3.12+ does (`DeprecationWarning: This process is multi-threaded, use of fork()
/// may lead to deadlocks in the child`).
///
/// Why it matters here: a lock held by another thread at the moment of fork stays held forever
/// in the child. The Swift runtime's generic-metadata caches are such locks (a stress probe
/// deadlocked 44 children in 300), and so is Dispatch's worker pool.
enum ForkWarning {
    static let state = Atomic<UInt8>(0)
    private static let enabledBit: UInt8 = 1
    private static let warnedBit: UInt8 = 2

    /// Whether the warning may be shown (``Multitask/warnsOnMultithreadedFork``).
    static var enabled: Bool {
        get { state.load(ordering: .relaxed) & enabledBit == 0 }
        set {
            if newValue { state.bitwiseAnd(~enabledBit, ordering: .relaxed) } else { state.bitwiseOr(enabledBit, ordering: .relaxed) }
        }
    }

    /// Called by the thread that asked for a fork, just after it (CPython also checks in the
    /// parent after `fork`): the child is meanwhile starting on another CPU, so reading
    /// `/proc` here costs the start-up nothing. The caller, the supervisor thread and the
    /// C-only thread forks are made from are expected; any other thread triggers the warning.
    /// The state is one atomic word, so a fork child has nothing to reset.
    static func checkAfterFork() {
        guard state.load(ordering: .relaxed) == 0, let threads = ProcessControl.threadCount, threads > 3 else { return }
        guard state.bitwiseOr(warnedBit, ordering: .relaxed).oldValue == 0 else { return }
        writeToStandardError("""
        Multitask warning: this process (pid=\(getpid())) is multi-threaded (\(threads) threads); \
        fork() may deadlock in the child if another thread holds a lock at that moment (the Swift \
        runtime's metadata caches, Dispatch, locks inside C libraries). Prefer .forkserver or \
        .spawn with a ProcessEntry, or start fork children before other threads. \
        (Shown once; set Multitask.warnsOnMultithreadedFork = false to silence it.)

        """)
    }
}
