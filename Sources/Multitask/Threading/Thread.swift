
/// A thread of execution running Swift code, with Python's `threading.Thread` lifecycle.
///
/// Create it with a closure, or subclass it and override ``run()``. Call ``start()`` once
/// (it returns once the new thread runs, with ``ident`` and ``nativeID`` set), then
/// ``join()``. An error thrown by the target goes to ``exceptionHook`` (Python's
/// `threading.excepthook`; by default it is printed on standard error with the thread's
/// name) and does not stop the program. The closure is released once it has run, with
/// everything it captured (Python's `run()` drops its target). When the program exits
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
///
/// Subclasses: a `Thread` is `Sendable`, and a subclass inherits that conformance unchecked.
/// ``run()`` runs on the new thread while the creating thread still holds the object, so a
/// subclass must keep what it adds immutable (`let` of `Sendable` values) or guarded by a lock
/// (or an ``Event``, a ``ThreadQueue``…); the compiler does not check it.
// @unchecked: the mutable state below is guarded by `state`; the rest is immutable or Sendable.
open class Thread: @unchecked Sendable {
    private enum Phase { case created, running, finished }

    /// The closure given at creation; released by the thread itself once ``run()`` returns.
    private var target: (@Sendable () throws -> Void)?
    private let state = InternalLock()
    private var phase = Phase.created
    private var _name: String
    private var _isDaemon: Bool
    private var _nativeID: Int32?
    private var _ident: UInt?
    /// The stack size given at creation: nil for ``Thread/stackSize`` at ``start()``, 0 for
    /// the system's default.
    private let requestedStackSize: Int?
    private let finished = Event()
    /// The OS thread, joinable until a `join` reaps it (or this object dies and detaches it),
    /// so that `join` returns only once the OS thread is gone: a program that forks right
    /// after joining its threads is then really single-threaded.
    private var handle: UInt?
    private var reaped = false
    private let reapLock = InternalLock()
    /// Whether this object describes an OS thread Multitask did not start (the main thread,
    /// a `Dummy-N` placeholder). A property of the object, not an identity kept in a set,
    /// since a freed placeholder's identity is reused by new objects.
    let isAdopted: Bool
    /// Whether this object describes the process's main thread, which ends when the program
    /// exits normally (``join()`` waits for that).
    private let isMain: Bool

    /// Creates a thread that will run `target`.
    ///
    /// `stackSize` is the new thread's stack in bytes (0: the system's default; nil, the
    /// default: ``Thread/stackSize`` as it is at ``start()``), with the rules of
    /// ``Thread/stackSize``.
    public init(
        name: String? = nil, daemon: Bool = false, stackSize: Int? = nil,
        target: @escaping @Sendable () throws -> Void
    ) {
        if let stackSize { Thread.checkStackSize(stackSize, in: "Thread(stackSize:)") }
        self.target = target
        self._name = name ?? ThreadRegistry.shared.nextName()
        self._isDaemon = daemon
        self.requestedStackSize = stackSize
        self.isAdopted = false
        self.isMain = false
    }

    /// Creates a thread for a subclass that overrides ``run()``; `stackSize` as in
    /// ``init(name:daemon:stackSize:target:)``.
    public init(name: String? = nil, daemon: Bool = false, stackSize: Int? = nil) {
        if let stackSize { Thread.checkStackSize(stackSize, in: "Thread(stackSize:)") }
        self.target = nil
        self._name = name ?? ThreadRegistry.shared.nextName()
        self._isDaemon = daemon
        self.requestedStackSize = stackSize
        self.isAdopted = false
        self.isMain = false
    }

    /// Describes a running thread Multitask did not start.
    private init(adopted name: String, daemon: Bool, nativeID: Int32, ident: UInt?, isMain: Bool) {
        self._name = name
        self._isDaemon = daemon
        self.phase = .running
        self._nativeID = nativeID
        self._ident = ident
        self.requestedStackSize = nil
        self.isAdopted = true
        self.isMain = isMain
    }

    /// Describes the calling thread, which Multitask did not start: a daemon placeholder.
    convenience init(adopting name: String) {
        self.init(adopted: name, daemon: true, nativeID: NativeThread.currentID, ident: NativeThread.currentHandle, isMain: false)
    }

    /// Describes the process's main thread, whichever thread calls it: its kernel id is the
    /// pid, its handle the one recorded when the program started (in a fork child: the thread
    /// that forked).
    convenience init(adoptingMainThread: Void) {
        self.init(adopted: "MainThread", daemon: false, nativeID: ProcessIdentity.pid, ident: NativeThread.mainThreadHandle, isMain: true)
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

    /// The pthread handle as a number, set when ``start()`` returns (Python's `ident`).
    public var ident: UInt? { state.withLock { _ident } }

    /// The kernel thread id, set when ``start()`` returns (Python's `native_id`).
    public var nativeID: Int32? { state.withLock { _nativeID } }

    /// Whether ``start()`` was called and ``run()`` has not returned yet. The main thread is
    /// alive until the program exits.
    public var isAlive: Bool { state.withLock { phase == .running } }

    /// The work of the thread. The default runs the closure given at creation; subclasses
    /// override it. Errors thrown here go to ``exceptionHook``.
    open func run() throws {
        try target?()
    }

    /// Starts the thread and returns once it runs: its ``ident`` and ``nativeID`` are set and
    /// the OS knows its name (Python's `start()`). Calling it twice is a programmer error.
    public func start() {
        let requested = state.withLock {
            usageCheck(phase == .created, "Thread.start(): thread '\(_name)' was already started")
            phase = .running
            return requestedStackSize
        }
        let stackSize = requested ?? ThreadRegistry.shared.defaultStackSize
        ThreadRegistry.shared.add(self)
        let started = Event()
        do {
            let handle = try NativeThread.start(stackSize: stackSize == 0 ? nil : stackSize) {
                self.main(announcing: started)
            }
            state.withLock { self.handle = handle }
        } catch {
            ThreadRegistry.shared.remove(self)
            fatalError("Thread.start(): cannot start thread '\(name)' (\(error))")
        }
        started.wait()
    }

    deinit {
        // Never joined: let the OS thread's resources go when it ends. (No join can run now:
        // a joiner holds a reference.)
        if !reaped, let handle { NativeThread.detach(handle) }
    }

    /// Waits for the OS thread to be gone (it is past `run()` already, in its thread-local
    /// destructors at most), reaping it once; with a deadline, gives up then and leaves the
    /// reaping to a later join or to `deinit`.
    private func reapOSThread(until deadline: Deadline?) {
        reapLock.withLock {
            guard !reaped, let handle = state.withLock({ self.handle }) else { return }
            guard let deadline else {
                NativeThread.join(handle)
                reaped = true
                return
            }
            if NativeThread.join(handle, until: deadline) { reaped = true }
        }
    }

    private func main(announcing started: Event) {
        ThreadRegistry.current.value = self
        let name = state.withLock {
            _nativeID = NativeThread.currentID
            _ident = NativeThread.currentHandle
            return _name
        }
        NativeThread.setCurrentName(name)
        started.set()
        var thrown: (any Error)?
        do {
            try run()
        } catch {
            thrown = error
        }
        // Released here, by this thread, before a joiner can go on: what the closure captured
        // (perhaps this very thread) is no longer kept alive by it.
        target = nil
        if let thrown { ThreadRegistry.shared.currentExceptionHook(self, thrown) }
        state.withLock { phase = .finished }
        ThreadRegistry.shared.remove(self)
        finished.set()
    }

    /// Marks the main thread ended, at normal program exit (Python's `_shutdown`): threads
    /// joining it go on.
    func markEnded() {
        state.withLock { phase = .finished }
        finished.set()
    }

    /// Waits until the thread ends: its ``run()`` returned and the OS thread is gone (its
    /// ``ThreadLocal`` values released), so a program that forks next has one thread fewer.
    /// The main thread ends when the program exits normally, before the non-daemon threads
    /// are joined (Python's `test_1_join_on_shutdown`). Joining a thread that was not
    /// started, the current thread, or a `Dummy-N` placeholder is a programmer error.
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
        if isAdopted && !isMain {
            usageFailure("Thread.join(): '\(name)' was not started by Multitask and cannot be joined")
        }
        guard finished.wait(until: deadline) else { return false }
        reapOSThread(until: deadline)
        return true
    }

    /// The thread running this code. Threads not started by Multitask get a daemon
    /// placeholder named like Python's (`Dummy-N`), the main thread is ``main``.
    public static var current: Thread { ThreadRegistry.current.value }

    /// The process's main thread (Python's `threading.main_thread()`): the thread whose
    /// kernel id is the pid, whichever thread asks first. In a fork child it is the child's
    /// only thread at the fork, and its ``nativeID`` is the child's pid.
    public static var main: Thread { ThreadRegistry.shared.mainThread }

    /// Every thread started by Multitask that is still alive, plus the main thread until the
    /// program exits.
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
