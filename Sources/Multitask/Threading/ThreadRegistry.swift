import CShim
import Glibc

/// The library's record of live threads: names, `Thread.current`, `Thread.main`, the join of
/// non-daemon threads at exit, and the process-wide thread settings (exception hook, stack
/// size).
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
    /// The process's main thread (whose kernel id is the pid), whichever thread made the
    /// registry. Written only at creation and by the fork handler, while a fork child has a
    /// single thread; read without the lock.
    private(set) var mainThread: Thread

    /// `shared` if it was made already, in this process or in the parent it was forked from.
    /// A fork child with no registry has nothing to reset, and making one would cost it an
    /// allocation and a `Thread` object. Read without `shared`, so that a fork handler never
    /// waits for an initialization that a vanished parent thread had begun.
    static var existing: ThreadRegistry? { created }
    /// Set once, by the initializer of `shared`.
    nonisolated(unsafe) private static var created: ThreadRegistry?

    private init() {
        mainThread = Thread(adoptingMainThread: ())
        ForkHooks.runInChild { ThreadRegistry.existing?.reinitializeInForkChild() }
        ThreadRegistry.created = self
    }

    func nextName() -> String {
        lock.withLock {
            counter += 1
            return "Thread-\(counter)"
        }
    }

    fileprivate func adoptCurrentThread() -> Thread {
        if cshim_gettid() == getpid() { return mainThread }
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
        if install { atexit { ThreadRegistry.shared.joinNonDaemonThreads() } }
    }

    func remove(_ thread: Thread) {
        lock.withLock { _ = threads.removeValue(forKey: ObjectIdentifier(thread)) }
    }

    func alive() -> [Thread] {
        let main = mainThread.isAlive ? [mainThread] : []
        return main + lock.withLock { Array(threads.values) }
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

    /// Runs in every fork child, right after `fork` (a `pthread_atfork` handler), while the
    /// forking thread is the child's only thread and its main thread.
    ///
    /// The parent's other threads do not exist here and one may have held the lock. The main
    /// thread is a new one: the forking thread, with the child's pid as its kernel id. The
    /// forking thread keeps its `Thread` object only if Multitask started it; a placeholder
    /// (or the parent's main thread object) gives way to the new main thread.
    private func reinitializeInForkChild() {
        lock.reinitializeAfterFork()
        let forking = ThreadRegistry.current.existingValue
        if !threads.isEmpty { threads = threads.filter { $0.value === forking } }
        mainThread = Thread(adoptingMainThread: ())
        if let forking, forking.isAdopted { ThreadRegistry.current.value = mainThread }
    }
}
