import Glibc
import SystemPackage

/// A child process running Swift code, with Python's `multiprocessing.Process` lifecycle.
///
/// Give it a closure (runs in a `.fork` child), a ``ProcessEntry`` value (any start method), or
/// subclass it and override ``run()`` (`.fork`). Call ``start()`` once, then ``join()``.
///
/// - ``exitCode`` is `nil` while the child runs, then `0` for success, `1` when `run()` threw
///   (the error is printed on the child's standard error under `Process NAME:`), `N` when the
///   child called `exit(N)`, and `-N` when a signal N killed it (a Swift trap is `-SIGILL` or
///   `-SIGTRAP`, ``terminate()`` gives `-SIGTERM`).
/// - The child's standard input is `/dev/null` unless ``standardInput`` is `.inherit`.
/// - When the program exits normally it terminates its daemon children and waits for the
///   others; if it dies abruptly, every child is killed with it (`PR_SET_PDEATHSIG`).
/// - Children are reaped as soon as they end: no zombies, no SIGCHLD handler.
///
/// ```swift
/// let p = Process(name: "worker") { print("hello from", Multitask.currentProcess.pid) }
/// try p.start()
/// if !p.join(timeout: .seconds(5)) { p.terminate(); p.join() }
/// print(p.exitCode!)   // 0
/// ```
///
/// Foundation also has a `Process` type: in a file that imports both, write
/// `Multitask.Process` (or add `typealias Process = Multitask.Process` at file level).
open class Process: @unchecked Sendable {
    enum Work {
        case closure(@Sendable () throws -> Void)
        case asyncClosure(@Sendable () async throws -> Void)
        case entry(any ProcessEntry)
        case subclass
        /// The parent's copy after a successful start: the child has its own.
        case released
    }

    private enum Phase { case created, started, finished }

    /// What the child runs. Dropped in the parent once the child started (as CPython's
    /// `start()` deletes `_target`): a closure that refers to this object, directly or not,
    /// would otherwise keep it alive forever. Guarded by `state`.
    private var work: Work
    /// The start method asked for at creation; nil means the program default.
    private let requestedMethod: StartMethod?
    private let state = InternalLock()
    private var phase = Phase.created
    private var _name: String
    /// Whether the program chose the name (at creation or through ``name``), rather than
    /// taking the default: only a chosen name is shown in `ps`.
    private var nameIsChosen: Bool
    private var _isDaemon: Bool
    private var _standardInput: ChildStandardInput
    private var _pid: Int32?
    /// The child's pidfd from start until it is released (see ``releaseDescriptorIfUnused()``).
    private var _descriptor: ProcessDescriptor?
    /// Threads in `join` polling ``_descriptor`` outside the lock.
    private var descriptorUsers = 0
    /// Whether the supervisor (or the fork-server client) is done with ``_descriptor``.
    private var descriptorUnwatched = false
    /// Whether ``sentinel`` handed the descriptor out: it then stays open until ``close()``.
    private var sentinelHandedOut = false
    /// Whether a `join` saw the end or ``close()`` was called: the owner is done with the child.
    private var joinedOrClosed = false
    private var _exitCode: Int32?
    private var _crashReport: CrashReport?
    /// Where the child writes a crash, from start until the report is read at its end.
    private(set) var crashRecord: CrashRecord?
    private var _startMethod: StartMethod?
    private var exitWaiters: [CheckedContinuation<Int32, Never>] = []
    /// Whether the main thread forked this child (see ``MainThreadLauncher``).
    private var forkedByMainThread = false
    private let finished = Event()
    /// Python's `_identity`, which default names are made from.
    let identity: [Int]
    /// The process that created this object: only it may start or join it.
    private let creatorPID: Int32

    private init(work: Work, name: String?, daemon: Bool, startMethod: StartMethod?, stdin: ChildStandardInput) {
        let (defaultName, identity) = ProcessSelf.nextChildIdentity()
        self.work = work
        self.requestedMethod = startMethod
        self._name = name ?? defaultName
        self.nameIsChosen = name != nil
        self._isDaemon = daemon
        self._standardInput = stdin
        self.identity = identity
        self.creatorPID = getpid()
    }

    /// Creates a process that runs `target` in a `.fork` child (Python's
    /// `Process(target=…)` with the `fork` start method).
    ///
    /// A closure cannot travel to a freshly started program, so it always runs in a copy of
    /// this process made by `fork`: there is no start-method parameter. To run work with
    /// `.spawn` or `.forkserver`, describe it as a ``ProcessEntry`` value and use
    /// ``init(name:daemon:startMethod:stdin:entry:)``.
    ///
    /// The process keeps `target` until ``start()`` succeeds, then drops it (the child has
    /// its own copy): what the closure captures is released in the parent then.
    public convenience init(
        name: String? = nil, daemon: Bool = false,
        stdin: ChildStandardInput = .null, target: @escaping @Sendable () throws -> Void
    ) {
        self.init(work: .closure(target), name: name, daemon: daemon, startMethod: .fork, stdin: stdin)
    }

    /// Not available: a closure always runs in a `.fork` child. Drop `startMethod:`, or
    /// describe the work as a ``ProcessEntry`` value to use `.spawn` or `.forkserver`.
    @available(*, unavailable, message: "a closure always runs in a .fork child: drop startMethod:, or pass a ProcessEntry value (entry:) to use .spawn or .forkserver")
    public convenience init(
        name: String? = nil, daemon: Bool = false, startMethod: StartMethod,
        stdin: ChildStandardInput = .null, target: @escaping @Sendable () throws -> Void
    ) {
        fatalError("unavailable")
    }

    /// Not available: an async closure always runs in a `.fork` child. Drop `startMethod:`,
    /// or describe the work as a ``ProcessEntry`` value to use `.spawn` or `.forkserver`.
    @available(*, unavailable, message: "a closure always runs in a .fork child: drop startMethod:, or pass a ProcessEntry value (entry:) to use .spawn or .forkserver")
    public convenience init(
        name: String? = nil, daemon: Bool = false, startMethod: StartMethod,
        stdin: ChildStandardInput = .null, target: @escaping @Sendable () async throws -> Void
    ) {
        fatalError("unavailable")
    }

    /// Creates a process that runs the async `target` in a `.fork` child.
    ///
    /// The child runs it on an executor of its own (see `ChildExecutor`): Dispatch's worker
    /// pool is not usable in a fork child of a parent that used Swift concurrency, and the
    /// default executor would hang there. Like the synchronous form, it has no start-method
    /// parameter, and drops `target` once ``start()`` succeeded.
    public convenience init(
        name: String? = nil, daemon: Bool = false, stdin: ChildStandardInput = .null,
        target: @escaping @Sendable () async throws -> Void
    ) {
        self.init(work: .asyncClosure(target), name: name, daemon: daemon, startMethod: .fork, stdin: stdin)
    }

    /// Creates a process that runs `entry.run()` in a child started with `startMethod`
    /// (nil: ``Multitask/defaultStartMethod``, `.forkserver` unless changed).
    public convenience init(
        name: String? = nil, daemon: Bool = false, startMethod: StartMethod? = nil,
        stdin: ChildStandardInput = .null, entry: some ProcessEntry
    ) {
        self.init(work: .entry(entry), name: name, daemon: daemon, startMethod: startMethod, stdin: stdin)
    }

    /// Creates a process for a subclass that overrides ``run()``; it starts with `.fork`.
    public init(name: String? = nil, daemon: Bool = false, stdin: ChildStandardInput = .null) {
        let (defaultName, identity) = ProcessSelf.nextChildIdentity()
        self.work = .subclass
        self.requestedMethod = .fork
        self._name = name ?? defaultName
        self.nameIsChosen = name != nil
        self._isDaemon = daemon
        self._standardInput = stdin
        self.identity = identity
        self.creatorPID = getpid()
    }

    deinit {
        _descriptor?.close()
    }

    // MARK: Properties

    /// The process name, shown in error reports and in ``Multitask/currentProcess`` of the child.
    ///
    /// A name the program chose (given at creation, or set here before ``start()``) is also
    /// the child's name in the kernel, so `ps`, `pstree`, `top` and `/proc/PID/comm` show it,
    /// cut to 15 bytes. A child with the default name (`Process-N`) keeps the program's name
    /// there, as a Python child does.
    public var name: String {
        get { state.withLock { _name } }
        set { state.withLock { _name = newValue; nameIsChosen = true } }
    }

    /// The name the child takes in the kernel: the chosen name, or nil for the default.
    var kernelName: String? { state.withLock { nameIsChosen ? _name : nil } }

    /// The parent's name in the kernel when it started a `.fork` child, which the child takes
    /// unless it has a chosen name (read before the fork: the child cannot read it).
    private var parentKernelName = ""

    /// The name a fork child takes in the kernel: its chosen name, else its parent's.
    var kernelNameInForkChild: String { state.withLock { nameIsChosen ? _name : parentKernelName } }

    /// Whether the child is ended (SIGTERM) when the program exits, instead of waited for.
    /// Set it before ``start()``.
    public var isDaemon: Bool {
        get { state.withLock { _isDaemon } }
        set {
            state.withLock {
                usageCheck(phase == .created, "Process.isDaemon: cannot change it after start() ('\(_name)')")
                _isDaemon = newValue
            }
        }
    }

    /// The child's standard input: `/dev/null` (default) or the parent's. Set it before ``start()``.
    public var standardInput: ChildStandardInput {
        get { state.withLock { _standardInput } }
        set {
            state.withLock {
                usageCheck(phase == .created, "Process.standardInput: cannot change it after start() ('\(_name)')")
                _standardInput = newValue
            }
        }
    }

    /// The child's process id, once started.
    public var pid: Int32? { state.withLock { _pid } }

    /// The start method used, once started.
    public var startMethod: StartMethod? { state.withLock { _startMethod } }

    /// `nil` while running (or not started), else the exit status or `-signal`.
    public var exitCode: Int32? { state.withLock { _exitCode } }

    /// What the child recorded when a fatal signal ended it: the signal and, for a Swift trap,
    /// the runtime's message (`Fatal error: …`). `nil` while it runs, when it ended otherwise
    /// (an exit, or a signal it could not catch such as SIGKILL), and when it ran with
    /// `MULTITASK_SWIFT_BACKTRACE=1` (Swift's backtracer then handles the crash).
    public var crashReport: CrashReport? { state.withLock { _crashReport } }

    /// Whether the running child has begun recording a crash: it is dying of a fatal signal.
    var isCrashing: Bool { state.withLock { phase == .started && crashRecord?.isWritten == true } }

    /// Whether the child was started and has not ended yet.
    public var isAlive: Bool { state.withLock { phase == .started } }

    /// A descriptor that becomes readable when the child ends (a pidfd), for `poll`/`epoll`
    /// loops or an event library (Python's `sentinel`).
    ///
    /// `nil` before ``start()`` and after ``close()``. Once read, it stays valid until
    /// ``close()`` or until this object goes away. A process whose sentinel was not read
    /// before a ``join()`` that saw the child end releases its pidfd then, so joined `Process`
    /// objects kept around hold no descriptors; `nil` then too.
    public var sentinel: FileDescriptor? {
        state.withLock {
            if _descriptor != nil { sentinelHandedOut = true }
            return _descriptor?.fileDescriptor
        }
    }

    /// The pidfd, for the library's own watching (does not count as handing out the sentinel).
    var watchableDescriptor: ProcessDescriptor? { state.withLock { _descriptor } }

    // MARK: Work

    /// The work of the child. The default runs the closure or entry given at creation;
    /// subclasses override it (and start with `.fork`). Errors thrown here are reported on the
    /// child's standard error and give exit code 1.
    ///
    /// In the parent, once ``start()`` succeeded, the closure or entry is gone (the child has
    /// its own copy) and the default does nothing.
    open func run() throws {
        switch state.withLock({ work }) {
        case .closure(let target): try target()
        case .asyncClosure(let target): try Self.runToCompletion(target)
        case .entry(let entry): try entry.run()
        case .subclass, .released: break
        }
    }

    /// Runs async work from synchronous code, blocking the calling thread until it ends.
    private static func runToCompletion(_ work: @escaping @Sendable () async throws -> Void) throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let done = Event()
        Task {
            do { try await work() } catch { outcome.error = error }
            done.set()
        }
        done.wait()
        if let error = outcome.error { throw error }
    }

    // MARK: Lifecycle

    /// Starts the child process; returns once it exists (``pid`` is set).
    ///
    /// Calling it twice, or in another process than the one that created this object, is a
    /// programmer error, as is an entry type that cannot be named across processes (a
    /// `private` type) with `.spawn` or `.forkserver`. Throws when the system refuses to create
    /// a process.
    ///
    /// Once the child exists, this object drops its closure or entry value, as Python's
    /// `start()` deletes `_target`: references the closure captured are released in the
    /// parent (and a closure that refers to this process no longer keeps it alive). After a
    /// failed start it keeps them, and `start()` may be called again.
    public func start() throws(ProcessError) {
        let (method, work) = state.withLock { () -> (StartMethod, Work) in
            usageCheck(phase == .created, "Process.start(): process '\(_name)' was already started")
            usageCheck(creatorPID == getpid(), "Process.start(): '\(_name)' was created by process \(creatorPID); only that process can start it")
            phase = .started
            crashRecord = CrashRecord()
            return (requestedMethod ?? DefaultStartMethod.take(), self.work)
        }
        if method == .fork {
            let inherited = ProcessSelf.kernelName
            state.withLock { parentKernelName = inherited }
        }
        ChildRegistry.add(self)
        do throws(ProcessError) {
            switch method {
            case .fork:
                try ChildLaunch.fork(self)
            case .spawn, .forkserver:
                guard case .entry(let entry) = work else {
                    usageFailure("Process.start(): '\(name)' overrides run() or has a closure, which needs .fork, not .\(method)")
                }
                let (bytes, descriptors) = makePayload(entry: entry, method: method)
                if method == .spawn {
                    try ChildLaunch.spawn(self, payload: bytes, descriptors: descriptors)
                } else {
                    try Supervisor.shared.forkServerClient().start(self, payload: bytes, descriptors: descriptors)
                }
            }
        } catch {
            ChildRegistry.remove(self)
            state.withLock { phase = .created; crashRecord = nil }
            throw error
        }
        // The child has its own copy; a closure referring to this object would keep it alive.
        state.withLock { self.work = .released }
    }

    /// The serialized payload of `entry` and the descriptors to pass beside it.
    private func makePayload(entry: any ProcessEntry, method: StartMethod) -> (bytes: [UInt8], descriptors: [Int32]) {
        let typeName: String
        switch EntryType.name(of: type(of: entry)) {
        case .success(let name): typeName = name
        case .failure(let problem): usageFailure("Process.start(): \(problem)")
        }
        let me = ProcessSelf.snapshot
        do {
            let payload = try ChildPayload(
                entry: entry, typeName: typeName, name: name, isDaemon: isDaemon, identity: identity,
                startMethod: method, parentPID: me.pid, parentName: me.name, crashRecord: crashRecord,
                descriptorLimit: method == .forkserver ? ForkServerClient.passableDescriptors : .max, kernelName: kernelName
            )
            return (try payload.serialized(), payload.descriptors)
        } catch {
            usageFailure("Process.start(): the entry value of '\(name)' cannot be encoded: \(error)")
        }
    }

    /// Waits until the child ends. Joining a process that was not started, or from another
    /// process than its parent, is a programmer error.
    public func join() { _ = join(until: nil) }

    /// Waits at most `timeout` for the child to end; returns whether it ended.
    @discardableResult
    public func join(timeout: Duration) -> Bool { join(until: .timeout(timeout, of: "Process.join(timeout:)")) }

    private func join(until deadline: Deadline?) -> Bool {
        let descriptor = beginDescriptorUse("join()", directChildOnly: true)
        let ended = waitForEnd(descriptor, until: deadline)
        endDescriptorUse(counted: descriptor != nil, ended: ended)
        return ended
    }

    /// The pidfd while the child runs, marked in use so that it is not released (and its
    /// number reused) meanwhile; nil once the child ended, or for a fork-server child when
    /// `directChildOnly`. Pair with ``endDescriptorUse(counted:ended:)``. Using a process that
    /// was never started, or from another process than its creator, is a programmer error
    /// (`operation` names the call in the message).
    func beginDescriptorUse(_ operation: String, directChildOnly: Bool = false) -> ProcessDescriptor? {
        state.withLock {
            usageCheck(phase != .created, "Process.\(operation): process '\(_name)' was never started")
            usageCheck(creatorPID == getpid(), "Process.\(operation): only the parent can wait for a child; '\(_name)' belongs to process \(creatorPID)")
            guard phase == .started, !(directChildOnly && _startMethod == .forkserver), let descriptor = _descriptor else { return nil }
            descriptorUsers += 1
            return descriptor
        }
    }

    /// Ends a ``beginDescriptorUse(_:directChildOnly:)`` (`counted`: it returned a
    /// descriptor); `ended` records that the owner saw the child end, as a join does.
    func endDescriptorUse(counted: Bool, ended: Bool = false) {
        state.withLock {
            if counted { descriptorUsers -= 1 }
            if ended { joinedOrClosed = true }
            releaseDescriptorIfUnused()
        }
    }

    /// The wait of `join`: a direct child (`descriptor`) is waited for on its pidfd and reaped
    /// here, so that its exit wakes this thread directly, not the supervisor thread first.
    private func waitForEnd(_ descriptor: ProcessDescriptor?, until deadline: Deadline?) -> Bool {
        if let descriptor {
            let supervisor = Supervisor.shared
            supervisor.suspendWatch(descriptor)
            let exited = descriptor.waitForExit(until: deadline, pollingBudget: Self.exitPollingBudget)
            if exited && reapIfExited(isDirectChild: true) {
                supervisor.forget(descriptor)
                stoppedWatching()
                return true
            }
            supervisor.resumeWatch(descriptor)
            if !exited { return false }
        }
        return finished.wait(until: deadline)
    }

    /// How long `join` polls a child's pidfd before it sleeps, in nanoseconds (0 on one CPU,
    /// where the child could not run meanwhile). A child that ends within that time is seen at
    /// once; a sleeping joiner is woken tens of microseconds later on a VM, where waking an
    /// idle CPU costs a hypervisor exit (measured on a 2-vCPU VM). The polls yield, so
    /// other runnable threads of this CPU are not held up; a longer child costs at most this
    /// much CPU time.
    static let exitPollingBudget: Int64 = CPU.available > 1 ? 250_000 : 0

    /// Suspends until the child ends and returns its ``exitCode``, without blocking a thread:
    /// the supervisor thread resumes the task when the child is reaped.
    public func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let code = state.withLock { () -> Int32? in
                usageCheck(phase != .created, "Process.waitForExit(): process '\(_name)' was never started")
                if let code = _exitCode { return code }
                exitWaiters.append(continuation)
                return nil
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    /// Asks the child to stop with SIGTERM (Python's `terminate()`). Does nothing once it ended.
    public func terminate() { send(SIGTERM) }

    /// Stops the child with SIGKILL, which it cannot catch. Does nothing once it ended.
    public func kill() { send(SIGKILL) }

    /// Sends SIGINT, as Ctrl-C would. Does nothing once it ended.
    public func interrupt() { send(SIGINT) }

    /// Sends `signal` to the child through its pidfd (never to a recycled pid).
    public func send(_ signal: Int32) {
        // Under the lock: the pidfd cannot be released, and its number reused, meanwhile.
        state.withLock {
            usageCheck(phase != .created, "Process: cannot signal '\(_name)', it was never started")
            if phase == .started { try? _descriptor?.sendSignal(signal) }
        }
    }

    /// Releases what the object holds of the ended child: its pidfd, so ``sentinel`` is `nil`
    /// from now on (Python's `close()`). Other properties (``exitCode``, ``pid``, ``name``)
    /// stay readable, and joining returns at once.
    ///
    /// As in Python, where `close()` raises `ValueError` for a running process, closing a
    /// process whose child is still running is a programmer error: it stops the program with
    /// a message. A child that has ended is collected first, joined or not (its ``exitCode``
    /// is set when `close()` returns). Closing a process that was never started, or twice,
    /// does nothing. A joined process releases its pidfd by itself unless its ``sentinel``
    /// was read, so `close()` is needed only then, or to say so.
    public func close() {
        // Python's `close()` polls the child first: one that ended is collected, not refused.
        if isAlive, let descriptor = beginDescriptorUse("close()") {
            let ended = descriptor.hasExited
            endDescriptorUse(counted: true)
            if ended { join() }
        }
        state.withLock {
            usageCheck(phase != .started, "Process.close(): process '\(_name)' is still running; join it first")
            sentinelHandedOut = false
            joinedOrClosed = true
            releaseDescriptorIfUnused()
        }
    }

    /// The supervisor or the fork-server client is done with the pidfd: it may be released.
    func stoppedWatching() {
        state.withLock {
            descriptorUnwatched = true
            releaseDescriptorIfUnused()
        }
    }

    /// Closes the pidfd once the child is finished and joined (or closed) and nothing can use
    /// the descriptor: no joiner polls it, the supervisor no longer watches it (closing it
    /// earlier could let its number be reused by a new child's pidfd while still named
    /// there), and it was not handed out as the sentinel. Called with `state` held.
    private func releaseDescriptorIfUnused() {
        guard phase == .finished, joinedOrClosed, descriptorUnwatched, descriptorUsers == 0, !sentinelHandedOut,
              let descriptor = _descriptor else { return }
        descriptor.close()
        _descriptor = nil
    }

    // MARK: Supervisor callbacks

    /// The child exists (called on the thread that created it, before it can be reaped).
    func didStart(pid: Int32, descriptor: ProcessDescriptor, method: StartMethod, byMainThread: Bool = false) {
        state.withLock {
            _pid = pid
            _descriptor = descriptor
            _startMethod = method
            forkedByMainThread = byMainThread
        }
    }

    /// The child ended with `code`, as reported by the fork server.
    func didFinish(exitCode code: Int32) {
        finish({ code }, beforeWaking: stoppedWatching)
    }

    /// Reaps a child whose pidfd became readable, unless someone else already did. Called by
    /// the supervisor and by `join`, whichever sees the exit first; returns whether the process
    /// is finished. A child not created by this process (a fork-server child whose server
    /// died) is not ours to reap: PR_SET_PDEATHSIG killed it. `beforeWaking` runs if this call
    /// finished the process, before joiners are woken.
    @discardableResult
    func reapIfExited(isDirectChild: Bool, beforeWaking: () -> Void = {}) -> Bool {
        finish({ () -> Int32? in
            guard isDirectChild else { return -SIGKILL }
            guard let descriptor = _descriptor else { return nil }
            do {
                return try descriptor.reap(nonBlocking: true)
            } catch {
                // ECHILD: someone else reaped it (a `waitpid(-1)` elsewhere in the program,
                // or SIGCHLD set to SIG_IGN). The status is lost; report it as 255.
                return 255
            }
        }, beforeWaking: beforeWaking)
        return state.withLock { phase == .finished }
    }

    /// Moves to `.finished` with the code `collect` returns (called with the state lock held,
    /// so that exactly one caller collects), runs `beforeWaking`, then wakes joiners and async
    /// waiters.
    private func finish(_ collect: () -> Int32?, beforeWaking: () -> Void) {
        var byMainThread = false
        let waiters = state.withLock { () -> [CheckedContinuation<Int32, Never>]? in
            guard phase == .started, let code = collect() else { return nil }
            _exitCode = code
            // Read now, and the record's shared memory given back: the child is gone.
            if code < 0 { _crashReport = crashRecord?.read() }
            crashRecord = nil
            phase = .finished
            byMainThread = forkedByMainThread
            defer { exitWaiters = [] }
            return exitWaiters
        }
        guard let waiters, let code = exitCode else { return }
        beforeWaking()
        if byMainThread { MainThreadLauncher.childEnded() }
        ChildRegistry.remove(self)
        finished.set()
        for waiter in waiters { waiter.resume(returning: code) }
    }

    /// In a fork child, this object describes the running process itself. Its lock may have
    /// been copied held by a parent thread.
    func becomeCurrentAfterFork() {
        state.reinitializeAfterFork()
        state.withLock {
            _pid = getpid()
            _startMethod = .fork
        }
    }
}

extension Process: CustomStringConvertible {
    /// `<Process(name, started daemon pid=1234)>`, `<Process(name, stopped exitcode=-15)>`.
    public var description: String {
        state.withLock {
            let status = switch phase { case .created: "initial"; case .started: "started"; case .finished: "stopped" }
            var text = "<Process(\(_name), \(status)"
            if _isDaemon { text += " daemon" }
            if let pid = _pid { text += " pid=\(pid)" }
            if let code = _exitCode { text += " exitcode=\(code)" }
            return text + ")>"
        }
    }
}
