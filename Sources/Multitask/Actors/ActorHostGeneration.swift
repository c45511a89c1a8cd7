/// One life of a host process: the process, its two queues and the thread that reads its
/// replies. A restart makes a new generation; nothing of the old one is reused.
struct ActorHostGeneration: Sendable {
    /// 1 for the first process, one more for each restart.
    let number: Int
    /// The host process.
    let process: Process
    /// Calls to the host (creations, invocations, wake-ups), each as its bytes.
    let calls: Queue<[UInt8]>
    /// Replies from the host, in batches (see ``ActorWireBytes``).
    let replies: Queue<[UInt8]>
    /// The thread that reads `replies` and resumes the calls.
    let reader: Thread
    /// Up while a caller waits suspended, and while calls come from several callers: only then
    /// does the reader read `replies` (a lingering caller reads them itself, and a sleeping
    /// reader on the queue would make the host wake it for every reply).
    let callersWait: Event

    /// How often the reader looks for calls past `timeout`: a tenth of it, between 1 and
    /// 50 ms (the reader wakes that often while the host is idle).
    static func deadlineScanInterval(for timeout: Duration) -> Duration {
        min(max(timeout / 10, .milliseconds(1)), .milliseconds(50))
    }

    /// Starts a host process for `host` with fresh queues, its reply reader, and a watch that
    /// tells `host` when the process ends.
    static func start(for host: ActorHost, number: Int) throws -> ActorHostGeneration {
        let calls = try Queue<[UInt8]>()
        let replies = try Queue<[UInt8]>()
        let process = Process(name: "actor-host-\(host.index)", daemon: true, startMethod: host.startMethod,
                              entry: ActorHostEntry(calls: calls, replies: replies))
        try process.start()
        let callersWait = Event()
        let reader = Thread(name: "actor-host-\(host.index)-replies", daemon: true) { [weak host] in
            read(replies, for: host, whenCallersWait: callersWait, killing: process)
        }
        reader.start()
        let generation = ActorHostGeneration(number: number, process: process, calls: calls, replies: replies, reader: reader, callersWait: callersWait)
        Task.detached { [weak host] in
            _ = await process.waitForExit()
            host?.ended(generation)
        }
        return generation
    }

    /// The reply reader: while callers wait suspended, resumes the calls of each batch of
    /// replies as it comes, until the replies queue is shut down (or brings bytes that do not
    /// read as replies); with a call timeout, it also fails the calls past it and kills the host.
    ///
    /// It sleeps between batches rather than lingering on the queue like the host: a reader
    /// polling for ``ActorLinger/window`` after each batch (as its own ``ActorLingerBudget``
    /// admitted) made 8 callers slower (7 A/B pairs, load 2–4: median 69 k calls/s against
    /// 81 k) and 1 caller too (50 k against 83 k): it took the CPU the resumed callers
    /// needed, and raced a lingering caller for its reply.
    private static func read(_ replies: Queue<[UInt8]>, for host: ActorHost?, whenCallersWait callersWait: Event, killing process: Process) {
        guard let host else { return }
        /// Resumes the calls `batch` answers; false if its bytes do not read as replies. An
        /// empty batch is the caller executor's wake-up, taken by mistake: passed on to it.
        func handle(_ batch: [UInt8]) -> Bool {
            guard let answered = try? ActorWireBytes.replies(inBatch: batch) else { return false }
            if answered.isEmpty { host.callerExecutor?.passOnWake(from: replies) }
            host.deliver(answered)
            return true
        }
        guard let timeout = host.callTimeout else {
            while true {
                callersWait.wait()
                guard let batch = try? replies.get(), handle(batch) else { return }
            }
        }
        let interval = deadlineScanInterval(for: timeout)
        var nextScan = Deadline.after(interval)
        while true {
            if callersWait.wait(timeout: interval) {
                do {
                    guard handle(try replies.get(timeout: interval)) else { return }
                } catch .empty {
                } catch {
                    return
                }
            }
            guard nextScan.hasPassed else { continue }
            nextScan = Deadline.after(interval)
            if host.failCallsPastDeadline() { process.kill() }
        }
    }

    /// Ends the generation: shuts its queues down, waits for the reader, and reaps the
    /// process (killing it if it does not end within `grace` of its calls queue closing).
    func retire(grace: Duration) {
        calls.shutdown(immediate: true)
        if !process.join(timeout: grace) {
            process.kill()
            process.join()
        }
        replies.shutdown(immediate: true)
        callersWait.set()
        reader.join()
    }
}
