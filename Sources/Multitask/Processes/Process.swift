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
///
/// Subclasses: a `Process` is `Sendable`, and a subclass inherits that conformance unchecked.
/// The object is used from the thread that starts it, the supervisor thread (which records
/// its end) and any thread that joins or inspects it, so a subclass must keep what it adds
/// immutable (`let` of `Sendable` values) or guarded by a lock; the compiler does not check it.
/// ``run()`` runs in the child, on the child's copy of the object: what it changes there is
/// never seen by the parent (send results back over a ``Queue`` or a ``Pipe``).
// @unchecked: `fields` is guarded by `state` (read without it only by the starting thread, the fork child and deinit); the rest is immutable or Sendable.
open class Process: @unchecked Sendable {
    enum Work {
        case closure(@Sendable () throws -> Void)
        case asyncClosure(@Sendable () async throws -> Void)
        case entry(any ProcessEntry)
        case subclass
        /// The parent's copy after a successful start: the child has its own.
        case released
    }

    enum Phase { case created, started, finished }

    /// Everything about the process that changes, guarded by `state` (one struct, so that the
    /// parts of this class in other files reach it without each field being internal).
    struct Fields {
        /// What the child runs. Dropped in the parent once the child started (as CPython's
        /// `start()` deletes `_target`): a closure that refers to this object, directly or not,
        /// would otherwise keep it alive forever.
        var work: Work
        var phase = Phase.created
        var name: String
        /// Whether the program chose the name (at creation or through ``Process/name``), rather
        /// than taking the default: only a chosen name is shown in `ps`.
        var nameIsChosen: Bool
        var isDaemon: Bool
        var standardInput: ChildStandardInput
        var pid: Int32?
        /// The child's pidfd from start until it is released (see ``Process/releaseDescriptorIfUnused()``).
        var descriptor: ProcessDescriptor?
        /// Threads in `join` polling ``descriptor`` outside the lock.
        var descriptorUsers = 0
        /// Whether the supervisor (or the fork-server client) is done with ``descriptor``.
        var descriptorUnwatched = false
        /// Whether ``Process/sentinel`` handed the descriptor out: it then stays open until ``Process/close()``.
        var sentinelHandedOut = false
        /// Whether a `join` saw the end or ``Process/close()`` was called: the owner is done with the child.
        var joinedOrClosed = false
        /// Whether the owner is done with the pidfd: the child finished, was joined or closed,
        /// and the sentinel is not handed out. ``Process/sentinel`` is `nil` from then on; the
        /// descriptor itself is closed once the library's own users let go too.
        var descriptorReleasedForOwner: Bool { phase == .finished && joinedOrClosed && !sentinelHandedOut }
        var exitCode: Int32?
        var crashReport: CrashReport?
        /// Where the child writes a crash, from start until the report is read at its end.
        var crashRecord: CrashRecord?
        var startMethod: StartMethod?
        var exitWaiters: [CheckedContinuation<Int32, Never>] = []
        /// Whether the main thread forked this child (see ``MainThreadLauncher``).
        var forkedByMainThread = false
        /// The parent's name in the kernel when it started a `.fork` child, which the child
        /// takes unless it has a chosen name (read before the fork: the child cannot read it).
        var parentKernelName = ""
    }

    /// The start method asked for at creation; nil means the program default.
    let requestedMethod: StartMethod?
    /// Guards ``fields``.
    let state = InternalLock()
    /// The changing state; read and written with `state` held.
    var fields: Fields
    /// Where the child writes a crash, from start until the report is read at its end.
    var crashRecord: CrashRecord? { fields.crashRecord }
    /// Set when the child ended: `join` waits on it.
    let finished = Event()
    /// Python's `_identity`, which default names are made from.
    let identity: [Int]
    /// The process that created this object: only it may start or join it.
    let creatorPID: Int32

    private init(work: Work, name: String?, daemon: Bool, startMethod: StartMethod?, stdin: ChildStandardInput) {
        let (defaultName, identity) = ProcessSelf.nextChildIdentity()
        self.fields = Fields(work: work, name: name ?? defaultName, nameIsChosen: name != nil, isDaemon: daemon, standardInput: stdin)
        self.requestedMethod = startMethod
        self.identity = identity
        self.creatorPID = ProcessIdentity.pid
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
        self.fields = Fields(work: .subclass, name: name ?? defaultName, nameIsChosen: name != nil, isDaemon: daemon, standardInput: stdin)
        self.requestedMethod = .fork
        self.identity = identity
        self.creatorPID = ProcessIdentity.pid
    }

    /// The work of the child. The default runs the closure or entry given at creation;
    /// subclasses override it (and start with `.fork`). Errors thrown here are reported on the
    /// child's standard error and give exit code 1.
    ///
    /// In the parent, once ``start()`` succeeded, the closure or entry is gone (the child has
    /// its own copy) and the default does nothing.
    open func run() throws {
        switch state.withLock({ fields.work }) {
        case .closure(let target): try target()
        case .asyncClosure(let target): try Self.runToCompletion(target)
        case .entry(let entry): try entry.run()
        case .subclass, .released: break
        }
    }

    /// Runs async work from synchronous code, blocking the calling thread until it ends.
    ///
    /// Never inlined into ``run()``: the `Task` it creates needs the metadata of
    /// `TaskPriority?`, which the parent never instantiates, and inlined it was instantiated on
    /// entry to `run()` whatever the work, in every fork child (demangling, allocation and
    /// about fifteen page faults per child: +15-25% on a no-op `.fork` start and join).
    @inline(never)
    private static func runToCompletion(_ work: @escaping @Sendable () async throws -> Void) throws {
        // @unchecked: `error` is written by the task before `done.set()` and read after `done.wait()`.
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

    deinit {
        fields.descriptor?.close()
    }
}
