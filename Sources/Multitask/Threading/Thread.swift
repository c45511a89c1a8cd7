import CShim
import Glibc

/// A thread of execution running Swift code, with Python's `threading.Thread` lifecycle.
///
/// Create it with a closure, or subclass it and override ``run()``. Call ``start()`` once,
/// then ``join()``. An error thrown by the target is printed on standard error with the
/// thread's name (Python's excepthook) and does not stop the program. When the program exits
/// normally it first waits for every started non-daemon thread; daemon threads are not
/// waited for.
///
/// ```swift
/// let worker = Thread(name: "worker") { print("hello from", Thread.current.name) }
/// worker.start()
/// worker.join()
/// ```
///
/// When a file imports Foundation too, write `Multitask.Thread` (or add
/// `typealias Thread = Multitask.Thread` at file level).
open class Thread: @unchecked Sendable {
    private enum Phase { case created, running, finished }

    private let target: (@Sendable () throws -> Void)?
    private let state = InternalLock()
    private var phase = Phase.created
    private var _name: String
    private var _isDaemon: Bool
    private var _nativeID: Int32?
    private var _ident: UInt?
    private let finished = Event()
    /// The OS thread, joinable until a `join` reaps it (or this object dies and detaches it),
    /// so that `join` returns only once the OS thread is gone: a program that forks right
    /// after joining its threads is then really single-threaded.
    private var handle: pthread_t?
    private var reaped = false
    private let reapLock = InternalLock()
    /// Whether this object describes an OS thread Multitask did not start (the main thread,
    /// a `Dummy-N` placeholder): such a thread cannot be joined. A property of the object, not
    /// an identity kept in a set, since a freed placeholder's identity is reused by new objects.
    private let isAdopted: Bool

    /// Creates a thread that will run `target`.
    public init(name: String? = nil, daemon: Bool = false, target: @escaping @Sendable () throws -> Void) {
        self.target = target
        self._name = name ?? ThreadRegistry.shared.nextName()
        self._isDaemon = daemon
        self.isAdopted = false
    }

    /// Creates a thread for a subclass that overrides ``run()``.
    public init(name: String? = nil, daemon: Bool = false) {
        self.target = nil
        self._name = name ?? ThreadRegistry.shared.nextName()
        self._isDaemon = daemon
        self.isAdopted = false
    }

    /// Describes an already running OS thread (the main thread, or one not started by us).
    init(adopting name: String, daemon: Bool) {
        self.target = nil
        self._name = name
        self._isDaemon = daemon
        self.phase = .running
        self._nativeID = cshim_gettid()
        self._ident = UInt(pthread_self())
        self.isAdopted = true
    }

    /// The thread's name, used in error reports and given to the OS (first 15 bytes).
    public var name: String {
        get { state.withLock { _name } }
        set { state.withLock { _name = newValue } }
    }

    /// Whether the program may exit without waiting for this thread. Set it before ``start()``.
    public var isDaemon: Bool {
        get { state.withLock { _isDaemon } }
        set {
            state.withLock {
                usageCheck(phase == .created, "Thread.isDaemon: cannot change it after start() ('\(_name)')")
                _isDaemon = newValue
            }
        }
    }

    /// The pthread handle as a number, once started (Python's `ident`).
    public var ident: UInt? { state.withLock { _ident } }

    /// The kernel thread id, once running (Python's `native_id`).
    public var nativeID: Int32? { state.withLock { _nativeID } }

    /// Whether ``start()`` was called and ``run()`` has not returned yet.
    public var isAlive: Bool { state.withLock { phase == .running } }

    /// The work of the thread. The default runs the closure given at creation; subclasses
    /// override it. Errors thrown here are reported on standard error.
    open func run() throws {
        try target?()
    }

    /// Starts the thread. Calling it twice is a programmer error.
    public func start() {
        state.withLock {
            usageCheck(phase == .created, "Thread.start(): thread '\(_name)' was already started")
            phase = .running
        }
        ThreadRegistry.shared.add(self)
        let context = Unmanaged.passRetained(self).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { raw in
            let thread = Unmanaged<Thread>.fromOpaque(raw!).takeRetainedValue()
            thread.main()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Thread>.fromOpaque(context).release()
            ThreadRegistry.shared.remove(self)
            fatalError("Thread.start(): pthread_create failed for '\(name)' (\(String(cString: strerror(rc))))")
        }
        state.withLock {
            _ident = UInt(handle)
            self.handle = handle
        }
    }

    deinit {
        // Never joined: let the OS thread's resources go when it ends. (No join can run now:
        // a joiner holds a reference.)
        if !reaped, let handle { pthread_detach(handle) }
    }

    /// Waits for the OS thread to be gone (it is past `run()` already, in its thread-local
    /// destructors at most), reaping it once; with a deadline, gives up then and leaves the
    /// reaping to a later join or to `deinit`.
    private func reapOSThread(until deadline: Deadline?) {
        reapLock.withLock {
            guard !reaped, let handle = state.withLock({ self.handle }) else { return }
            guard let deadline else {
                pthread_join(handle, nil)
                reaped = true
                return
            }
            var limit = deadline.realtimeTimespec
            if cshim_thread_timed_join(UInt(handle), &limit) == 0 { reaped = true }
        }
    }

    private func main() {
        ThreadRegistry.current.value = self
        let name = state.withLock {
            _nativeID = cshim_gettid()
            _ident = UInt(pthread_self())
            return _name
        }
        _ = String(name.utf8.prefix(15))?.withCString { cshim_set_thread_name($0) }
        do {
            try run()
        } catch {
            writeToStandardError("Exception in thread \(name): \(error)\n")
        }
        state.withLock { phase = .finished }
        ThreadRegistry.shared.remove(self)
        finished.set()
    }

    /// Waits until the thread ends: its ``run()`` returned and the OS thread is gone (its
    /// ``ThreadLocal`` values released), so a program that forks next has one thread fewer.
    /// Joining a thread that was not started, or the current thread, is a programmer error.
    public func join() { _ = join(until: nil) }

    /// Waits at most `timeout` for the thread to end; returns whether it ended. A negative
    /// timeout is a programmer error.
    @discardableResult
    public func join(timeout: Duration) -> Bool { join(until: .timeout(timeout, of: "Thread.join(timeout:)")) }

    private func join(until deadline: Deadline?) -> Bool {
        state.withLock {
            usageCheck(phase != .created, "Thread.join(): thread '\(_name)' was never started")
        }
        usageCheck(Thread.current !== self, "Thread.join(): thread '\(name)' cannot join itself")
        if isAdopted {
            usageFailure("Thread.join(): '\(name)' was not started by Multitask and cannot be joined")
        }
        guard finished.wait(until: deadline) else { return false }
        reapOSThread(until: deadline)
        return true
    }

    /// The thread running this code. Threads not started by Multitask get a daemon
    /// placeholder named like Python's (`Dummy-N`), the main thread is ``main``.
    public static var current: Thread { ThreadRegistry.current.value }

    /// The program's main thread.
    public static var main: Thread { ThreadRegistry.shared.mainThread }

    /// Every thread started by Multitask that is still alive, plus the main thread.
    public static var all: [Thread] { ThreadRegistry.shared.alive() }
}

extension Thread: CustomStringConvertible {
    /// `<Thread(name, started daemon 1234)>` in Python's spirit.
    public var description: String {
        state.withLock {
            let status = switch phase { case .created: "initial"; case .running: "started"; case .finished: "stopped" }
            return "<Thread(\(_name), \(status)\(_isDaemon ? " daemon" : "")\(_nativeID.map { " \($0)" } ?? ""))>"
        }
    }
}
