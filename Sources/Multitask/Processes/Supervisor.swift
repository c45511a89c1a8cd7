import SystemPackage
import Synchronization

/// The library's one long-lived thread per process: it creates children and reaps them.
///
/// Two kernel facts make a single thread the right design:
/// - `PR_SET_PDEATHSIG` fires when the *thread* that created the child exits, not the process
///   (`prctl(2)`; measured on this toolchain: a child of a thread that ended was killed at
///   once). A child created from a Task or a short-lived thread
///   would be killed when that thread retires. So `fork` and `posix_spawn` are called here, on
///   a thread that never exits — or, for `.fork` only, on the main thread itself, which
///   ``MainThreadLauncher`` keeps from exiting before its children (saving two hand-offs).
/// - Children are watched with pidfds in one epoll set and reaped with `waitid(P_PIDFD)` as
///   soon as they end, so no zombie lingers and no SIGCHLD handler is installed (the
///   program's own SIGCHLD handling is left alone).
///
/// Other threads hand work to it with ``perform(_:)`` and block until it is done; the thread
/// blocks every signal so that signals meant for the program go to the program's threads.
/// A thread in `Process.join` takes over the pidfd of the child it waits for (see
/// ``suspendWatch(_:)``) and reaps it itself; the supervisor reaps the others.
// @unchecked: `threadID` is set once, in init; `forkServer` is the supervisor thread's; the rest is in `state`, immutable or atomic.
final class Supervisor: @unchecked Sendable {
    /// This process's supervisor, once started. In a fork child the parent's supervisor
    /// thread does not exist: its descriptors are closed and the next use starts a new one.
    static let instance = LockedBox(Supervisor?.none, inForkChild: { instance in
        guard let old = instance else { return }
        old.closeInForkChild()
        instance = nil
    })

    /// This process's supervisor, started on first use.
    static var shared: Supervisor {
        instance.withLock { instance in
            if let instance { return instance }
            let created = Supervisor()
            instance = created
            return created
        }
    }

    /// In a fork child: closes the descriptors of the parent's supervisor.
    private func closeInForkChild() {
        loop.close()
        forkServer?.closeAfterFork()
        let selfDescriptor = selfDescriptorNumber.load(ordering: .acquiring)
        if selfDescriptor >= 0 { try? FileDescriptor(rawValue: selfDescriptor).close() }
    }

    /// Event-loop tags: a watched child's is its pidfd number (below 2^32).
    private enum Tag {
        static let forkServer: UInt64 = 2 << 32
        static let forkServerProcess: UInt64 = 3 << 32
        static let kindMask: UInt64 = 0xffff_ffff << 32
    }

    /// Work handed to the supervisor thread. Its waiter sleeps at once instead of spinning
    /// like `Event`: a fork takes hundreds of microseconds, and on a machine with few cores a
    /// spinning waiter takes the CPU the new child needs.
    private final class Job {
        let body: () -> Void
        private let storage = SyncStorage(localWords: 1)
        init(_ body: @escaping () -> Void) { self.body = body }

        func finish() {
            let word = storage.word(0)
            word.store(1)
            word.wake()
        }

        func wait() {
            let word = storage.word(0)
            _ = word.park(until: nil) { word.load() == 0 ? .sleep(expecting: 0) : .done }
        }
    }

    /// The thread's wait: children's pidfds, the fork server, and the doorbell for jobs.
    private let loop: EventLoop
    /// A watched child: a direct child is reaped with `waitid`; a fork-server child whose
    /// server died is not ours to reap and only its end is observed.
    private struct Watch {
        let process: Process
        let isDirectChild: Bool
        /// Threads in `join` polling this pidfd themselves; while there are any, the supervisor
        /// leaves it alone (see ``suspendWatch(_:)``).
        var joiners = 0
    }
    /// What other threads hand to the supervisor thread.
    private struct Shared {
        var jobs: [Job] = []
        /// Watched children by pidfd number.
        var watched: [CInt: Watch] = [:]
    }

    private let state = LockedBox(Shared())
    private(set) var threadID: UInt?
    /// The fork-server client, once the server was started.
    private var forkServer: ForkServerClient?
    /// The same client, readable from any thread: a start request then skips the hop to the
    /// supervisor thread while the server is up (a round trip of two thread wake-ups).
    private let startedForkServer = LockedBox(ForkServerClient?.none)
    /// A pidfd on this process itself, handed to spawned and fork-server children as their
    /// parent sentinel, opened on first use. Numbered above the descriptors it is duplicated
    /// onto in the child (see `ChildLaunch`).
    var selfDescriptor: ProcessDescriptor? {
        var fd = selfDescriptorNumber.load(ordering: .acquiring)
        if fd == Self.notOpened {
            var opened: CInt = -1
            if let raw = try? ProcessDescriptor.open(pid: ProcessIdentity.pid).rawValue {
                opened = (try? ProcessControl.moveDescriptor(raw, atLeast: ChildBootstrap.parentDescriptor + 1)) ?? -1
            }
            let (exchanged, original) = selfDescriptorNumber.compareExchange(
                expected: Self.notOpened, desired: opened, ordering: .acquiringAndReleasing
            )
            if !exchanged && opened >= 0 { try? FileDescriptor(rawValue: opened).close() }
            fd = exchanged ? opened : original
        }
        return fd >= 0 ? ProcessDescriptor(rawValue: fd) : nil
    }

    /// The number of ``selfDescriptor``: ``notOpened``, -1 when it could not be opened. Atomic,
    /// since threads starting children race to open it, and a fork child reads it to close it.
    private let selfDescriptorNumber = Atomic<CInt>(Supervisor.notOpened)
    private static let notOpened: CInt = -2

    private init() {
        // Before the first child: exit codes must reach us even if SIGCHLD was ignored.
        ProcessControl.keepChildExitStatuses()
        do {
            loop = try EventLoop()
        } catch {
            fatalError("Multitask: cannot create the process supervisor (\(error))")
        }
        // The thread keeps the supervisor alive: it never ends.
        threadID = NativeThread.startDetached(name: "mt-supervisor") { [self] in serve() }
    }

    /// Whether the caller is the supervisor thread.
    var isCurrentThread: Bool {
        guard let threadID else { return false }
        return NativeThread.isCurrent(threadID)
    }

    /// Runs `body` on the supervisor thread and returns its result; the caller blocks meanwhile.
    func perform<Result>(_ body: @escaping () -> Result) -> Result {
        if isCurrentThread { return body() }
        var result: Result?
        let job = Job { result = body() }
        state.withLock { $0.jobs.append(job) }
        loop.ring()
        job.wait()
        return result!
    }

    // MARK: The thread

    private func serve() -> Never {
        ProcessControl.blockAllSignals()
        ForkGate.joinCurrentThread()
        while true {
            let rang = loop.wait { tag in
                switch tag & Tag.kindMask {
                case Tag.forkServer: forkServer?.socketReadable()
                case Tag.forkServerProcess: forkServer?.serverExited()
                default: reap(CInt(truncatingIfNeeded: tag))
                }
            }
            if rang { runJobs() }
        }
    }

    private func runJobs() {
        while true {
            let batch = state.withLock { state -> [Job] in
                defer { state.jobs.removeAll(keepingCapacity: true) }
                return state.jobs
            }
            if batch.isEmpty { return }
            for job in batch {
                job.body()
                job.finish()
            }
        }
    }

    // MARK: Watching children

    /// Starts watching a child; it is reaped as soon as it ends.
    func watch(_ process: Process, descriptor: ProcessDescriptor, isDirectChild: Bool = true) {
        state.withLock { $0.watched[descriptor.rawValue] = Watch(process: process, isDirectChild: isDirectChild) }
        do {
            try loop.watch(descriptor.rawValue, tag: UInt64(UInt32(bitPattern: descriptor.rawValue)))
        } catch {
            fatalError("Multitask: cannot watch child process (\(error))")
        }
    }

    /// A thread joining a direct child polls its pidfd itself and reaps it; meanwhile the
    /// supervisor stops watching it, so that the child's exit wakes one thread instead of two
    /// (which, on a machine with few cores, costs the joiner its CPU).
    func suspendWatch(_ descriptor: ProcessDescriptor) {
        let fd = descriptor.rawValue
        let first = state.withLock { state -> Bool in
            guard state.watched[fd] != nil else { return false }
            state.watched[fd]!.joiners += 1
            return state.watched[fd]!.joiners == 1
        }
        if first { loop.unwatch(fd) }
    }

    /// The joiner gave up (timeout): the supervisor watches the child again.
    func resumeWatch(_ descriptor: ProcessDescriptor) {
        let fd = descriptor.rawValue
        let last = state.withLock { state -> Bool in
            guard state.watched[fd] != nil else { return false }
            state.watched[fd]!.joiners -= 1
            return state.watched[fd]!.joiners == 0
        }
        if last { try? loop.watch(fd, tag: UInt64(UInt32(bitPattern: fd))) }
    }

    /// The joiner reaped the child: forget it.
    func forget(_ descriptor: ProcessDescriptor) {
        let fd = descriptor.rawValue
        let stillWatched = state.withLock { state -> Bool in
            guard let watch = state.watched.removeValue(forKey: fd) else { return false }
            return watch.joiners == 0
        }
        if stillWatched { loop.unwatch(fd) }
    }

    /// Watches any descriptor under a private tag (the fork server's socket and process).
    func watchForkServer(socket: CInt, process: ProcessDescriptor) throws(Errno) {
        try loop.watch(socket, tag: Tag.forkServer)
        try loop.watch(process.rawValue, tag: Tag.forkServerProcess)
    }

    func unwatchForkServer(socket: CInt, process: ProcessDescriptor) {
        loop.unwatch(socket)
        loop.unwatch(process.rawValue)
    }

    private func reap(_ fd: CInt) {
        // No entry: whoever removed it also removed it from the epoll set.
        guard let watch = state.withLock({ $0.watched[fd] }) else { return }
        let unwatch = { self.stopWatching(fd, watch.process) }
        // Finished here: forgotten before joiners wake. Finished by a joiner: forgotten now.
        if watch.process.reapIfExited(isDirectChild: watch.isDirectChild, beforeWaking: unwatch) { unwatch() }
    }

    /// Forgets a finished child, if it is still watched under `fd`, and lets the process
    /// release its pidfd: only then, since a released number could be reused by a new child's
    /// pidfd while still named here.
    private func stopWatching(_ fd: CInt, _ process: Process) {
        let removed = state.withLock { state -> Bool in
            guard state.watched[fd]?.process === process else { return false }
            state.watched[fd] = nil
            return true
        }
        guard removed else { return }
        loop.unwatch(fd)
        process.stoppedWatching()
    }

    // MARK: The fork server

    /// The fork-server client if a server was started (it may have gone away since), from any
    /// thread, without starting one.
    var startedForkServerClient: ForkServerClient? { startedForkServer.withLock { $0 } }

    /// The fork-server client, starting the server if needed (on the supervisor thread).
    func forkServerClient() throws(ProcessError) -> ForkServerClient {
        if let client = startedForkServer.withLock({ $0 }), client.isUsable { return client }
        let result: Result<ForkServerClient, ProcessError> = perform {
            if let client = self.forkServer, client.isUsable { return .success(client) }
            do throws(ProcessError) {
                let client = try ForkServerClient.launch(supervisor: self)
                self.forkServer = client
                self.startedForkServer.withLock { $0 = client }
                return .success(client)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
