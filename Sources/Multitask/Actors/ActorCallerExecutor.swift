import Synchronization

/// An opt-in executor for the tasks that call actors in host processes: one library thread
/// runs their jobs and, between them, reads the replies of their calls itself. Opt in by
/// giving a system's ``ProcessActorSystem/callerExecutor`` to the caller tasks as their
/// executor preference:
///
/// ```swift
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     for _ in 0..<8 {
///         group.addTask(executorPreference: system.callerExecutor) {
///             for i in 0..<1_000 { _ = try await parser.echo(i) }
///         }
///     }
///     try await group.waitForAll()
/// }
/// // or, for the code of one task:
/// try await withTaskExecutorPreference(system.callerExecutor) { try await parser.echo(1) }
/// ```
///
/// Why: by default a reply resumes its caller on the cooperative pool, so each batch of
/// replies wakes the host's reader thread and then a sleeping pool thread; with several
/// callers on 2 CPUs these wake-ups, not the calls' work, set the pace. On this executor a
/// batch of replies is taken and its callers run on the same thread, which then sends their
/// next calls together: no thread is woken while calls keep coming. When none comes within
/// ``ActorLinger/window``, the thread waits on the replies queue of the one host it reads
/// (the host's put wakes it, a job wakes it with an empty batch), or, with several hosts,
/// hands the reading back to their reader threads and sleeps. 8 callers of one host made
/// 297–360 k calls/s on it against 135–184 k by default (load average 3.8 from other jobs,
/// 2 CPUs); at load 6 it did not win (a wake-up there waits for a CPU either way).
///
/// Everything such a task does runs on this one thread: keep CPU-heavy work in other tasks
/// (or in the actors). Callers on it fail with a host's crash, a call timeout or a shutdown
/// as the others do. After ``ProcessActorSystem/shutdown()`` the thread ends once it has run
/// what was queued (and is joined), and jobs enqueued later run on the global executor.
// @unchecked: `watched`, `outgoing` and `linger` are touched only by the executor's own
// thread (the jobs it runs and its loop); everything else is a LockedBox, an Atomic or
// immutable.
public final class ActorCallerExecutor: TaskExecutor, @unchecked Sendable {
    /// The jobs and the thread's life.
    private struct State {
        /// Jobs in the order they were enqueued.
        var jobs: [UnownedJob] = []
        /// The thread, once started (on the first job).
        var thread: Thread?
        /// Whether the thread was started.
        var started: Bool { thread != nil }
        /// Whether the thread sleeps (an enqueue must wake it).
        var sleeping = false
        /// The replies queue the thread waits on, if it does (an enqueue wakes it with an
        /// empty batch there).
        var waitingOn: Queue<[UInt8]>?
        /// Whether an empty batch was put there to wake it.
        var wakePut = false
        /// Whether the system was shut down (the thread ends when it runs out of jobs).
        var stopped = false
        /// Whether the thread ended (or never started before the stop): jobs go to the
        /// global executor.
        var exited = false
    }

    /// A host some of whose callers here wait suspended, and the replies queue they wait on.
    private struct Watched {
        /// The host.
        let host: ActorHost
        /// Its generation's replies.
        let replies: Queue<[UInt8]>
        /// That generation's number.
        let generation: Int
    }

    /// The jobs and the thread's life.
    private let state = LockedBox(State())
    /// Raised to wake the sleeping thread.
    private let wakeUp = Event()
    /// The thread's pthread handle once it runs (0 before).
    private let threadHandle = Atomic<UInt>(0)
    /// The hosts whose replies the thread reads (its thread only).
    private var watched: [Watched] = []
    /// Calls made by the jobs running now, put when they are done (its thread only).
    private var outgoing: [(host: ActorHost, calls: Queue<[UInt8]>, bytes: [UInt8])] = []
    /// Whether the thread lingers for replies before it sleeps (its thread only).
    private var linger = ActorLingerBudget()
    /// The thread's name.
    private let name: String

    /// An executor whose thread (started with its first job) is named `name`.
    init(name: String) {
        self.name = name
    }

    /// Queues `job` for the thread; wakes it if it sleeps, starts it if it has not run yet.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (queued, wake, start, waitingOn) = state.withLock { state -> (Bool, Bool, Bool, Queue<[UInt8]>?) in
            if state.exited { return (false, false, false, nil) }
            state.jobs.append(job)
            let start = !state.started
            if start {
                // Started under the lock, so that a stop never finds a thread it cannot join.
                let thread = Thread(name: name, daemon: true) { [self] in run() }
                thread.start()
                state.thread = thread
            }
            defer {
                state.sleeping = false
                state.wakePut = state.waitingOn != nil
            }
            return (true, state.sleeping, start, state.wakePut ? nil : state.waitingOn)
        }
        if !queued { return globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
        if wake && !start {
            wakeUp.set()
        }
        Self.wake(waitingOn)
    }

    /// Wakes the thread waiting on `replies` (if any) with an empty batch of replies.
    private static func wake(_ replies: Queue<[UInt8]>?) {
        // A queue shut down has woken its waiter already.
        try? replies?.put(ActorWireBytes.batch(of: []))
    }

    /// Someone else (the host's reader) took an empty batch from `replies`: if it was put to
    /// wake this thread, which still waits there, it is put again.
    func passOnWake(from replies: Queue<[UInt8]>) {
        Self.wake(state.withLock { $0.wakePut && $0.waitingOn === replies ? replies : nil })
    }

    /// How long the thread waits on a replies queue before it looks at its jobs anyway: a
    /// bound on the wait should a wake-up be lost (taken by a reader that was between two
    /// batches when it came).
    static var waitLimit: Duration { .milliseconds(1) } // computed: no lazy global to touch before a fork

    /// Whether the calling thread is this executor's (a task that prefers it runs there).
    var isCurrent: Bool { threadHandle.load(ordering: .acquiring) == NativeThread.currentHandle }

    /// Reads the replies of `host`'s generation `generation` on `replies` until its callers
    /// here are answered (called by a caller job as it suspends, so on this thread).
    func watch(_ host: ActorHost, replies: Queue<[UInt8]>, generation: Int) {
        if let index = watched.firstIndex(where: { $0.host === host }) {
            guard watched[index].generation != generation else { return }
            watched[index] = Watched(host: host, replies: replies, generation: generation)
        } else {
            watched.append(Watched(host: host, replies: replies, generation: generation))
        }
    }

    /// Puts `call` on `calls` once the jobs running now are done (called by a caller job, so
    /// on this thread): the host, woken or lingering, then finds the calls of a batch of
    /// replies together, serves them in one wake-up and answers them in one batch, instead of
    /// serving the first while the others are being made.
    func send(_ call: [UInt8], on calls: Queue<[UInt8]>, to host: ActorHost) {
        outgoing.append((host, calls, call))
    }

    /// The system is shut down: the thread ends once it has run the jobs queued, and is
    /// joined unless this is it (a caller on it that shuts the system down: the thread then
    /// ends after that job).
    func stop() {
        let (wake, waitingOn, thread) = state.withLock { state -> (Bool, Queue<[UInt8]>?, Thread?) in
            state.stopped = true
            if !state.started { state.exited = true }
            defer {
                state.sleeping = false
                state.wakePut = state.waitingOn != nil
            }
            return (state.sleeping, state.wakePut ? nil : state.waitingOn, state.thread)
        }
        if wake { wakeUp.set() }
        Self.wake(waitingOn)
        if let thread, !isCurrent { thread.join() }
    }

    /// The thread: runs the jobs, reads replies while callers wait, sleeps when neither comes.
    private func run() {
        threadHandle.store(NativeThread.currentHandle, ordering: .releasing)
        let executor = asUnownedTaskExecutor()
        while true {
            for job in takeJobs() { job.runSynchronously(on: executor) }
            sendOutgoing()
            if readReplies() { continue }
            if watched.count == 1, waitForReplies(of: watched[0]) { continue }
            for entry in watched { entry.host.handOverToReader() }
            watched = []
            guard sleep() else { return }
        }
    }

    /// The jobs queued so far, in order.
    private func takeJobs() -> [UnownedJob] {
        state.withLock { state in
            defer { state.jobs = [] }
            return state.jobs
        }
    }

    /// Puts the calls the jobs just run made (see ``send(_:on:to:)``).
    private func sendOutgoing() {
        // A queue shut down: the crash or stop that did it fails the call.
        for call in outgoing { try? call.calls.put(call.bytes) }
        outgoing.removeAll(keepingCapacity: true)
    }

    /// Reads the watched hosts' replies for up to ``ActorLinger/window`` (as the budget
    /// admits), handing each batch to its host (which resumes its callers: jobs here);
    /// whether a batch came, or a job, before the window passed.
    private func readReplies() -> Bool {
        watched.removeAll { !$0.host.hasCallersOnExecutor }
        guard !watched.isEmpty else { return false }
        guard linger.admits() else { return false }
        let end = Deadline.now.nanoseconds + ActorLinger.window
        repeat {
            for _ in 0..<16 {
                var answered = false
                for entry in watched where entry.host.deliverReplies(from: entry.replies, generation: entry.generation) == .delivered { answered = true }
                if answered {
                    linger.record(hit: true)
                    return true
                }
                CPU.relax()
            }
            if state.withLock({ !$0.jobs.isEmpty }) { return true }
        } while Deadline.now.nanoseconds < end
        linger.record(hit: false)
        return false
    }

    /// Waits on the replies queue of the one host whose replies it reads, for its next batch
    /// or a wake-up (an empty batch from ``enqueue(_:)``) or ``waitLimit``: the host wakes
    /// this thread with no reader between them. False when the queue ended (the thread then
    /// hands the reading back and sleeps).
    private func waitForReplies(of host: Watched) -> Bool {
        let waits = state.withLock { state -> Bool in
            guard state.jobs.isEmpty, !state.stopped else { return false }
            state.waitingOn = host.replies
            return true
        }
        guard waits else { return true }
        let read = host.host.deliverReplies(from: host.replies, generation: host.generation, waiting: true)
        state.withLock { state in
            state.waitingOn = nil
            state.wakePut = false
        }
        return read != .ended
    }

    /// Sleeps until a job is queued; false when the system was shut down and no job is left
    /// (the thread then ends).
    private func sleep() -> Bool {
        wakeUp.clear()
        let decision = state.withLock { state -> Bool? in
            if !state.jobs.isEmpty { return true }
            if state.stopped {
                state.exited = true
                return false
            }
            state.sleeping = true
            return nil
        }
        if let decision { return decision }
        wakeUp.wait()
        return true
    }
}
