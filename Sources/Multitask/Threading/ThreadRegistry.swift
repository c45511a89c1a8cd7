import CShim
import Glibc

/// The library's record of live threads: names, `Thread.current`, and the join of
/// non-daemon threads at exit.
final class ThreadRegistry: @unchecked Sendable {
    static let shared = ThreadRegistry()

    /// The `Thread` object of each OS thread; created lazily for threads we did not start.
    static let current = ThreadLocal<Thread> { shared.adoptCurrentThread() }

    private let lock = InternalLock()
    private var threads: [ObjectIdentifier: Thread] = [:]
    private var counter = 0
    private var dummyCounter = 0
    private var exitHookInstalled = false
    let mainThread: Thread

    /// `shared` if it was made already, in this process or in the parent it was forked from.
    /// A fork child with no registry has nothing to reset, and making one would cost it an
    /// allocation and a `Thread` object.
    static var existing: ThreadRegistry? { isCreated ? shared : nil }
    /// Set once, by the initializer of `shared` (which `swift_once` orders before any use).
    nonisolated(unsafe) private static var isCreated = false

    private init() {
        mainThread = Thread(adopting: "MainThread", daemon: false)
        ThreadRegistry.isCreated = true
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
            return Thread(adopting: "Dummy-\(dummyCounter)", daemon: true)
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
        [mainThread] + lock.withLock { Array(threads.values) }
    }

    /// Whether any thread started by Multitask is alive (the main thread aside); unlike
    /// `alive().count > 1`, it allocates nothing.
    var hasStartedThreads: Bool { lock.withLock { !threads.isEmpty } }

    /// Python's `threading._shutdown`: normal exit waits for started non-daemon threads.
    func joinNonDaemonThreads() {
        while true {
            let me = Thread.current
            let pending = lock.withLock { threads.values.filter { !$0.isDaemon && $0 !== me } }
            guard let next = pending.first else { return }
            next.join()
        }
    }

    /// In a fork child only the forking thread exists: forget the others.
    func reinitializeAfterFork(keeping survivor: Thread) {
        lock.reinitializeAfterFork()
        threads = threads.filter { $0.value === survivor }
    }
}
