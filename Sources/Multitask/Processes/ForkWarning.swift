import Glibc

/// The one-time warning printed when the program forks while it has other threads, as
/// CPython 3.12+ does (`DeprecationWarning: This process is multi-threaded, use of fork()
/// may lead to deadlocks in the child`).
///
/// Why it matters here: a lock held by another thread at the moment of fork stays held forever
/// in the child. The Swift runtime's generic-metadata caches are such locks (a stress probe
/// deadlocked 44 children in 300), and so is Dispatch's worker pool.
enum ForkWarning {
    private static let lock = InternalLock()
    nonisolated(unsafe) private static var warned = false
    nonisolated(unsafe) static var enabled = true

    /// Called on the supervisor thread just before `fork`. The caller waiting in `start()` and
    /// the supervisor are expected; any other thread triggers the warning.
    static func checkBeforeFork() {
        let shouldCheck = lock.withLock { enabled && !warned }
        guard shouldCheck, let threads = ProcessControl.threadCount, threads > 2 else { return }
        guard lock.withLock({ () -> Bool in defer { warned = true }; return !warned }) else { return }
        writeToStandardError("""
        Multitask warning: this process (pid=\(getpid())) is multi-threaded (\(threads) threads); \
        fork() may deadlock in the child if another thread holds a lock at that moment (the Swift \
        runtime's metadata caches, Dispatch, locks inside C libraries). Prefer .forkserver or \
        .spawn with a ProcessEntry, or start fork children before other threads. \
        (Shown once; set Multitask.warnsOnMultithreadedFork = false to silence it.)

        """)
    }

    static func reinitializeAfterFork() {
        lock.reinitializeAfterFork()
    }
}
