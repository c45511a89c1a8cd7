import SystemPackage

/// The engine of a process ``Pool``: one thread that starts the workers, hands tasks out,
/// reads replies, and notices every worker's end.
///
/// It is made of named parts: the ``PoolInbox`` it shares with submitting threads, the
/// ``PoolWorkers`` (start, replace, back off, kill), the ``PoolScheduler`` (queue, assignment,
/// replies, settling) and the pure ``PoolWatchdog`` decisions. The thread waits in one
/// ``EventLoop`` on its doorbell (new tasks, close, terminate), each worker's socket (replies;
/// writability while unsent bytes wait) and each worker's pidfd (its end); since a worker runs
/// its tasks in order and records their numbers in shared memory (``PoolWorkerStatus``), the
/// parent always knows which one is running.
///
/// When a worker ends unexpectedly, the task it was running fails with
/// ``PoolError/workerCrashed(signal:exitCode:task:report:)`` (or ``PoolError/taskTimedOut(timeout:task:)``
/// when the dispatcher killed it for its timeout), the tasks it had not started go back to the
/// front of the queue, and a new worker takes its place.
// @unchecked: submitters only reach `inbox` (locked) and `loop.ring()`; everything else is the dispatcher thread's.
final class PoolDispatcher: @unchecked Sendable {
    /// Tasks sent ahead to one worker, at most.
    static var prefetchLimit: Int { PoolScheduler.prefetchLimit }
    /// Workers in a row ending before serving from which on queued tasks fail.
    static var earlyDeathLimit: Int { PoolWatchdog.earlyDeathLimit }

    private let inbox: PoolInbox
    private let loop: EventLoop
    private let workers: PoolWorkers
    private let scheduler: PoolScheduler
    private var thread: Thread?
    /// The submissions taken from the inbox, kept between wake-ups (its buffer is reused).
    @exclusivity(unchecked) private var arrivals: [PoolSubmission] = []
    /// Set once every worker has ended and the thread is done.
    let finished = Event()

    init(size: Int, maxTasksPerChild: Int?, configuration: PoolWorkerConfiguration, startMethod: StartMethod) {
        inbox = PoolInbox(size: size)
        scheduler = PoolScheduler(maxTasksPerChild: maxTasksPerChild, inbox: inbox)
        do {
            loop = try EventLoop()
            workers = try PoolWorkers(size: size, configuration: configuration, startMethod: startMethod, loop: loop, inbox: inbox)
        } catch {
            fatalError("Pool: cannot create the dispatcher's descriptors (\(error))")
        }
    }

    /// Starts the workers, then the dispatcher thread; throws if the first workers cannot start.
    func start() throws(ProcessError) {
        // Only a forked worker runs code whose metadata a parent thread may be instantiating.
        if workers.startMethod == .fork { PoolWarmUp.rehearseWorkerLoop() }
        do throws(ProcessError) {
            try workers.startAll()
        } catch {
            releaseDescriptors()
            throw error
        }
        let thread = Thread(name: "Pool-dispatcher", daemon: true) { [self] in run() }
        self.thread = thread
        thread.start()
    }

    // MARK: Submitting (any thread)

    /// The pool's number for `type` and its codecs, with `count` submission numbers reserved
    /// (for task labels); see ``PoolInbox/ticket(for:numbers:codecs:)``.
    func ticket(for type: any PoolTask.Type, numbers count: Int, codecs: () -> PoolTaskCodecs?) -> PoolInbox.Ticket {
        inbox.ticket(for: type, numbers: count, codecs: codecs)
    }

    /// The task type submitted last (see ``PoolRecentType``).
    var recentType: PoolRecentType { inbox.recentType }

    /// Queues `submissions`; fails them with ``PoolError/closed`` once the pool was closed.
    func submit(_ submissions: some Collection<PoolSubmission>) {
        let (accepted, wake) = inbox.submit(submissions)
        if !accepted { for submission in submissions { submission.cancel(.closed) } }
        if wake { loop.ring() }
    }

    /// Queues the submissions of `batch`, handing the array over (see
    /// ``PoolInbox/submit(handingOver:)``; `batch` is left empty); fails them with
    /// ``PoolError/closed`` once the pool was closed.
    func submit(handingOver batch: inout [PoolSubmission]) {
        let (accepted, wake) = inbox.submit(handingOver: &batch)
        if !accepted {
            for submission in batch { submission.cancel(.closed) }
            batch.removeAll(keepingCapacity: true)
        }
        if wake { loop.ring() }
    }

    /// Stops accepting tasks; the queued ones still run, then the workers exit.
    func close() {
        inbox.close()
        loop.ring()
    }

    /// Stops accepting tasks, fails the queued ones with ``PoolError/terminated``, kills the
    /// workers (failing their running tasks the same way).
    func terminate() {
        for submission in inbox.terminate() { submission.cancel(.terminated) }
        loop.ring()
    }

    /// Whether `close()` or `terminate()` was not called yet.
    var isAccepting: Bool { inbox.isAccepting }

    /// The pids of the live workers.
    var workerPIDs: [Int32] { inbox.workerPIDs }

    /// Calls `callback` once the dispatcher is done (right away if it is).
    func whenFinished(_ callback: @escaping @Sendable () -> Void) {
        if !inbox.addFinishWaiter(callback) { callback() }
    }

    // MARK: The thread

    private func run() {
        ProcessControl.blockAllSignals()
        ForkGate.joinCurrentThread()
        while true {
            let phase = inbox.takeArrivals(into: &arrivals)
            scheduler.enqueue(arrivals)
            arrivals.removeAll(keepingCapacity: true)
            if phase == .terminating {
                shutDown()
                break
            }
            if phase == .closing && scheduler.isEmpty && workers.live.allSatisfy(\.inFlight.isEmpty) {
                if workers.live.isEmpty { break }
                for slot in workers.live where slot.state == .serving {
                    slot.queueStop()
                    workers.flush(slot)
                }
            } else {
                workers.replaceEnded()
                scheduler.assign(to: workers.slots)
                for slot in workers.live { workers.flush(slot) }
            }
            let now = Deadline.now.nanoseconds
            let wakeAt = workers.enforceLimits(now: now)
            let sleeps = inbox.prepareToSleep(in: phase, workersBusy: workers.allBusy)
            let timeout = sleeps ? EventLoop.timeoutMilliseconds(until: wakeAt, now: now) : 0
            loop.wait(timeoutMilliseconds: timeout) { tag in handle(tag) }
        }
        ForkGate.leaveCurrentThread()
        releaseDescriptors()
        let waiters = inbox.finish()
        finished.set()
        for waiter in waiters { waiter() }
    }

    private func handle(_ tag: UInt64) {
        guard let (slot, isSentinel) = workers.slot(forTag: tag) else { return }
        if isSentinel {
            workerEnded(slot)
        } else {
            scheduler.receive(from: slot)
            workers.flush(slot)
        }
    }

    /// A worker's pidfd became readable: take its last replies, settle its unanswered tasks;
    /// when workers keep dying before they serve, fail its tasks and every queued one instead.
    private func workerEnded(_ slot: PoolWorkerSlot) {
        scheduler.receive(from: slot)
        _ = slot.process.join(timeout: .seconds(10))
        let code = slot.process.exitCode
        guard workers.remove(slot) else {
            scheduler.settle(slot, exitCode: code)
            return
        }
        let error = PoolError.workersCannotStart(count: workers.earlyDeaths, signal: code.flatMap { $0 < 0 ? -$0 : nil },
                                                  exitCode: code.flatMap { $0 >= 0 ? $0 : nil })
        scheduler.failAll(of: slot, andQueued: error)
    }

    /// Kills every worker, fails every task, waits for the workers' ends.
    private func shutDown() {
        for slot in workers.killAll() {
            for task in slot.inFlight { task.fail(.terminated) }
            slot.inFlight.removeAll()
        }
        scheduler.failQueued(.terminated)
    }

    private func releaseDescriptors() {
        loop.close()
        workers.close()
    }
}
