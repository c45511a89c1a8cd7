import Synchronization

/// The one-time warning printed when the program forks while it has other threads, as
/// CPython 3.12+ does (`DeprecationWarning: This process is multi-threaded, use of fork()
/// may lead to deadlocks in the child`).
///
/// Why it matters here: a lock held by another thread at the moment of fork stays held forever
/// in the child. The Swift runtime's generic-metadata caches are such locks (a stress probe
/// deadlocked 44 children in 300), and so is Dispatch's worker pool.
///
/// The advice fits what forked: a ``Pool`` started with `.fork` is told to use
/// `Pool(startMethod: .forkserver)`, a ``Process`` to use a ``ProcessEntry`` with `.forkserver`
/// or `.spawn`.
enum ForkWarning {
    static let state = Atomic<UInt8>(0)
    private static let enabledBit: UInt8 = 1
    private static let warnedBit: UInt8 = 2
    /// Set once the program chose with ``Multitask/warnsOnMultithreadedFork``: the
    /// environment (``environmentVariable``) no longer decides.
    private static let chosenBit: UInt8 = 4

    /// `MULTITASK_FORK_WARNING=0` in the environment silences the warning unless the program
    /// sets ``Multitask/warnsOnMultithreadedFork`` itself.
    static var environmentVariable: String { "MULTITASK_FORK_WARNING" }

    /// What asked for a fork; it decides the advice.
    enum Requester {
        case process, pool
    }

    /// The requester of the forks this thread makes; `.process` unless a caller says otherwise.
    static let requester = ThreadLocal<Requester> { .process }

    /// Whether the warning may be shown (``Multitask/warnsOnMultithreadedFork``).
    static var enabled: Bool {
        get { state.load(ordering: .relaxed) & enabledBit == 0 }
        set {
            if newValue { state.bitwiseAnd(~enabledBit, ordering: .relaxed) } else { state.bitwiseOr(enabledBit, ordering: .relaxed) }
            state.bitwiseOr(chosenBit, ordering: .relaxed)
        }
    }

    /// Runs `body`, whose forks on this thread are made for `requester` (the warning's advice
    /// then fits it).
    static func forking<Value, Failure: Error>(for requester: Requester, _ body: () throws(Failure) -> Value) throws(Failure) -> Value {
        let previous = self.requester.value
        self.requester.value = requester
        defer { self.requester.value = previous }
        return try body()
    }

    /// Called by the thread that asked for a fork, just after it (CPython also checks in the
    /// parent after `fork`): the child is meanwhile starting on another CPU, so reading
    /// `/proc` here costs the start-up nothing. The caller, the C-only thread forks are made
    /// from and the library's own threads (quiet at every fork, see ``ForkGate``) are
    /// expected; any other thread triggers the warning. The state is one atomic word, so a
    /// fork child has nothing to reset.
    static func checkAfterFork() {
        let current = state.load(ordering: .relaxed)
        guard current & (enabledBit | warnedBit) == 0, let threads = ProcessControl.threadCount,
              threads > 2 + ForkGate.threadCount else { return }
        if current & chosenBit == 0 && Environment.value(environmentVariable) == "0" { return }
        guard state.bitwiseOr(warnedBit, ordering: .relaxed).oldValue & warnedBit == 0 else { return }
        writeToStandardError(message(pid: ProcessIdentity.pid, threads: threads, requester: requester.value))
    }

    /// The warning's text.
    static func message(pid: Int32, threads: Int, requester: Requester) -> String {
        let advice = switch requester {
        case .process:
            "Prefer .forkserver or .spawn with a ProcessEntry, or start fork children before other threads."
        case .pool:
            "A Pool started with .fork forked its workers: prefer Pool(startMethod: .forkserver) (the default) or .spawn, or create the pool before other threads start."
        }
        return """
        Multitask warning: this process (pid=\(pid)) is multi-threaded (\(threads) threads); \
        fork() may deadlock in the child if another thread holds a lock at that moment (the Swift \
        runtime's metadata caches, Dispatch, locks inside C libraries). \(advice) \
        (Shown once; set Multitask.warnsOnMultithreadedFork = false, or MULTITASK_FORK_WARNING=0 in \
        the environment, to silence it.)

        """
    }
}
