
/// The library's record of live threads: names, `Thread.current`, `Thread.main`, the join of
/// non-daemon threads at exit, and the process-wide thread settings (exception hook, stack
/// size).
// @unchecked: every mutable property is guarded by `lock`.
final class ThreadRegistry: @unchecked Sendable {
    static let shared = ThreadRegistry()

    /// The `Thread` object of each OS thread; created lazily for threads we did not start.
    static let current = ThreadLocal<Thread> { shared.adoptCurrentThread() }

    private let lock = InternalLock()
    private var threads: [ObjectIdentifier: Thread] = [:]
    private var counter = 0
    private var dummyCounter = 0
    private var exitHookInstalled = false
    private var exceptionHook: Thread.ExceptionHook = Thread.defaultExceptionHook
    private var stackSize = 0
    /// The main thread of the process that made it: of the fork generation `mainGeneration`.
    private var main: Thread
    private var mainGeneration: UInt32

    /// `shared` if it was made already, in this process or in the parent it was forked from.
    /// A fork child with no registry has nothing to reset, and making one would cost it an
    /// allocation and a `Thread` object. Read without `shared`, so that a fork handler never
    /// waits for an initialization that a vanished parent thread had begun.
    static var existing: ThreadRegistry? { created }
    /// Set once, by the initializer of `shared`.
    // nonisolated(unsafe): written once inside `shared`'s one-time initializer, before any reader can see it.
    nonisolated(unsafe) private static var created: ThreadRegistry?

    private init() {
        mainGeneration = ForkGeneration.current
        main = Thread(adoptingMainThread: ())
        AfterFork.register { ThreadRegistry.existing?.reinitializeInForkChild() }
        ThreadRegistry.created = self
    }

    /// The process's main thread, whose kernel id is the pid, whichever thread asks first. A
    /// fork child makes its own on first use: its main thread is the thread that forked.
    var mainThread: Thread {
        lock.withLock {
            let generation = ForkGeneration.current
            if mainGeneration != generation {
                main = Thread(adoptingMainThread: ())
                mainGeneration = generation
            }
            return main
        }
    }

    func nextName() -> String {
        lock.withLock {
            counter += 1
            return "Thread-\(counter)"
        }
    }

    fileprivate func adoptCurrentThread() -> Thread {
        if NativeThread.isMainThread { return mainThread }
        return lock.withLock {
            dummyCounter += 1
            return Thread(adopting: "Dummy-\(dummyCounter)")
        }
    }

    func add(_ thread: Thread) {
        let install = lock.withLock {
            threads[ObjectIdentifier(thread)] = thread
            defer { exitHookInstalled = true }
            return !exitHookInstalled
        }
        if install { ExitHooks.runAtExit { ThreadRegistry.shared.joinNonDaemonThreads() } }
    }

    func remove(_ thread: Thread) {
        lock.withLock { _ = threads.removeValue(forKey: ObjectIdentifier(thread)) }
    }

    func alive() -> [Thread] {
        let main = mainThread
        return (main.isAlive ? [main] : []) + lock.withLock { Array(threads.values) }
    }

    /// Whether any thread started by Multitask is alive (the main thread aside); unlike
    /// `alive().count > 1`, it allocates nothing.
    var hasStartedThreads: Bool { lock.withLock { !threads.isEmpty } }

    /// Python's `threading._shutdown`: at normal exit the main thread counts as ended (a
    /// thread joining it goes on), then every started non-daemon thread is waited for.
    func joinNonDaemonThreads() {
        mainThread.markEnded()
        while true {
            let me = Thread.current
            let pending = lock.withLock { threads.values.filter { !$0.isDaemon && $0 !== me } }
            guard let next = pending.first else { return }
            next.join()
        }
    }

    // MARK: Settings

    /// See ``Thread/exceptionHook``.
    var currentExceptionHook: Thread.ExceptionHook {
        get { lock.withLock { exceptionHook } }
        set {
            // The replaced hook (and what it captured) is released after the lock.
            let previous = lock.withLock {
                defer { exceptionHook = newValue }
                return exceptionHook
            }
            withExtendedLifetime(previous) {}
        }
    }

    /// See ``Thread/stackSize``.
    var defaultStackSize: Int {
        get { lock.withLock { stackSize } }
        set { lock.withLock { stackSize = newValue } }
    }

    // MARK: Fork

    /// Runs in every fork child, right after `fork` (registered with ``AfterFork``), while the
    /// forking thread is the child's only thread and its main thread.
    ///
    /// The parent's other threads do not exist here and one may have held the lock. The
    /// forking thread keeps its `Thread` object only if Multitask started it; a placeholder
    /// (or the parent's main thread object) is dropped, so that the thread becomes the child's
    /// new main thread (``mainThread``) when it asks. Nothing is allocated here: most children
    /// never ask.
    private func reinitializeInForkChild() {
        lock.reinitializeAfterFork()
        let forking = ThreadRegistry.current.existingValue
        if let forking, forking.isAdopted { ThreadRegistry.current.removeValue() }
        guard !threads.isEmpty else { return }
        if let forking, threads[ObjectIdentifier(forking)] != nil {
            threads = [ObjectIdentifier(forking): forking]
        } else {
            threads.removeAll(keepingCapacity: true)
        }
    }
}
