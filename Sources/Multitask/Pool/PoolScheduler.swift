import DequeModule

/// The process pool's task side, on the dispatcher thread: the queue of tasks no worker has,
/// handing them to workers a fair share at a time, delivering the replies, and settling the
/// tasks of a worker that ended.
///
/// Tasks are sent a few ahead per worker (its window: ``prefetchLimit``, more for tiny tasks),
/// so that a worker rarely waits for the parent; a worker runs its tasks in order, so the
/// oldest unanswered task of a slot is the one it runs.
///
/// A worker holds its replies back for at most about a millisecond
/// (``PoolWorkerLoop/replyDelayNanoseconds``), so a read that brings half a window of replies
/// means tasks of a few microseconds: the window doubles (up to ``windowCeiling``), and each
/// round trip between the dispatcher and the worker carries more tasks. A read that brings
/// few replies sets it back to ``prefetchLimit``.
// Dispatcher-thread state with no overlapping accesses: no runtime exclusivity checks (see PoolWorkerSlot).
final class PoolScheduler {
    /// Tasks sent ahead to one worker, at most, until its replies show tiny tasks.
    static let prefetchLimit = 64
    /// The largest window, for tasks of a few microseconds: what one worker may hold back
    /// from the others is then a millisecond or two of work.
    static let windowCeiling = 1024

    let maxTasksPerChild: Int?
    private let inbox: PoolInbox
    /// Submissions with tasks no worker has, in order (a run stays first until its last part
    /// is sent).
    @exclusivity(unchecked) private var ready = Deque<PoolSubmission>()
    /// Tasks sent to a worker that ended before answering them, to send again before `ready`.
    @exclusivity(unchecked) private var retry = Deque<PoolSentTask>()
    /// The tasks in `ready` (the parts of a run not sent yet) and `retry`.
    @exclusivity(unchecked) private var queuedTasks = 0
    /// The workers ``assign(to:)`` may send to, kept between calls so that it allocates nothing.
    @exclusivity(unchecked) private var open: [PoolWorkerSlot] = []
    /// The task-type names this thread has seen, by number (refreshed from the inbox).
    @exclusivity(unchecked) private var localTypeNames: [String] = []

    init(maxTasksPerChild: Int?, inbox: PoolInbox) {
        self.maxTasksPerChild = maxTasksPerChild
        self.inbox = inbox
    }

    /// Whether no task waits for a worker.
    var isEmpty: Bool { ready.isEmpty && retry.isEmpty }

    /// Queues tasks that were just submitted.
    func enqueue(_ arrived: [PoolSubmission]) {
        for submission in arrived { queuedTasks += submission.partCount }
        ready.append(contentsOf: arrived)
    }

    /// Takes the next task to send: a requeued one first, then the next part of the first
    /// submission (claimed from cancellation when its first part is taken).
    private func takeNext() -> PoolSentTask? {
        if let task = retry.popFirst() {
            queuedTasks -= 1
            return task
        }
        while !ready.isEmpty {
            // Moved out of the queue (a run with parts left goes back to the front).
            let submission = ready.removeFirst()
            if !submission.isDispatched {
                guard submission.take() else {
                    queuedTasks -= submission.partCount
                    continue
                }
                submission.isDispatched = true
            }
            let part = submission.nextPart
            submission.nextPart = part + 1
            queuedTasks -= 1
            if part + 1 < submission.partCount { ready.prepend(submission) }
            return PoolSentTask(submission: submission, part: part)
        }
        return nil
    }

    /// Hands queued tasks to the workers of `slots` with the fewest in flight, a fair share
    /// each; the frames are buffered in each slot's output (the caller flushes them).
    func assign(to slots: [PoolWorkerSlot?]) {
        guard !isEmpty else { return }
        open.removeAll(keepingCapacity: true)
        for case let slot? in slots where slot.acceptsTasks { open.append(slot) }
        defer { open.removeAll(keepingCapacity: true) }
        guard !open.isEmpty else { return }
        let inFlight = open.reduce(0) { $0 + $1.inFlight.count }
        let share = (queuedTasks + inFlight) / open.count + 1
        while !open.isEmpty, !isEmpty {
            var best = 0
            for i in open.indices where open[i].inFlight.count < open[best].inFlight.count { best = i }
            let slot = open[best]
            if slot.inFlight.count >= min(share, slot.window) {
                open.remove(at: best)
                continue
            }
            guard let task = takeNext() else { break }
            send(task, to: slot)
            if !slot.acceptsTasks { open.remove(at: best) }
        }
    }

    private func send(_ task: consuming PoolSentTask, to slot: PoolWorkerSlot) {
        let submission = task.submission
        let id = Int(submission.typeID)
        if id >= slot.knownTypes.count { slot.knownTypes += Array(repeating: false, count: id + 1 - slot.knownTypes.count) }
        if !slot.knownTypes[id] {
            slot.output.appendFrame(kind: PoolWire.defineType, header: submission.typeID, bytes: Array(typeName(id).utf8))
            slot.knownTypes[id] = true
        }
        submission.withPayload(part: task.part) { slot.output.appendFrame(kind: PoolWire.task, header: submission.typeID, body: $0) }
        slot.sentCount += 1
        if submission.timeout != nil { slot.timedInFlight += 1 }
        slot.inFlight.append(task)
        if let limit = maxTasksPerChild, slot.sentCount >= limit { slot.queueStop() }
    }

    private func typeName(_ id: Int) -> String {
        if id >= localTypeNames.count { localTypeNames = inbox.allTypeNames }
        return localTypeNames[id]
    }

    // MARK: Replies

    /// Reads and delivers every reply available from `slot`.
    func receive(from slot: PoolWorkerSlot) {
        var replies = 0
        do throws(FrameStreamError) {
            while try slot.input.nextFrame(from: slot.socket, { kind, body in deliver(kind, body, from: slot) }) != nil {
                replies += 1
            }
        } catch {
            // The worker's end closed: its sentinel reports how it ended.
        }
        adaptWindow(of: slot, replies: replies)
    }

    /// Doubles the window of a worker whose read brought half a window of replies (tiny
    /// tasks); sets it back when a read brought few.
    private func adaptWindow(of slot: PoolWorkerSlot, replies: Int) {
        if replies >= slot.window / 2 {
            slot.window = min(slot.window * 2, Self.windowCeiling)
        } else if replies < Self.prefetchLimit / 8 {
            slot.window = Self.prefetchLimit
        }
    }

    private func deliver(_ kind: UInt8, _ body: UnsafeRawBufferPointer, from slot: PoolWorkerSlot) {
        guard let task = slot.inFlight.popFirst() else { return }
        slot.firstNumber += 1
        if task.timeout != nil { slot.timedInFlight -= 1 }
        if kind == PoolWire.success {
            task.succeed(body)
        } else {
            let split = body.firstIndex(of: 0) ?? body.endIndex
            let errorType = String(decoding: body[..<split], as: UTF8.self)
            let description = split < body.endIndex ? String(decoding: body[(split + 1)...], as: UTF8.self) : ""
            task.fail(.taskFailed(errorType: errorType, description: description, task: task.label))
        }
    }

    // MARK: Ends

    /// Settles the unanswered tasks of `slot`, whose worker ended with `code`: the one it was
    /// running fails (a timeout when it was killed for that and recorded no crash, a crash
    /// otherwise); the others go
    /// back to the front of the queue (never started, or finished with the reply lost).
    func settle(_ slot: PoolWorkerSlot, exitCode code: Int32?) {
        let started = slot.status.started, finished = slot.status.finished
        var requeue: [PoolSentTask] = []
        for (offset, task) in slot.inFlight.enumerated() {
            let number = slot.firstNumber + UInt64(offset)
            guard number == started && started > finished else {
                requeue.append(task)
                continue
            }
            // A worker that recorded a crash before the timeout's kill (its handler was still
            // taking frames) crashed: a timeout never masks a crash.
            let report = slot.process.crashReport
            if report == nil, slot.state == .killedForTimeout(task: number), let timeout = task.timeout {
                task.fail(.taskTimedOut(timeout: timeout, task: task.label))
            } else {
                let signal = report?.signal ?? code.flatMap { $0 < 0 ? -$0 : nil }
                task.fail(.workerCrashed(signal: signal, exitCode: signal == nil ? code : nil, task: task.label, report: report))
            }
        }
        slot.inFlight.removeAll()
        retry.insert(contentsOf: requeue, at: retry.startIndex)
        queuedTasks += requeue.count
    }

    /// Fails every task of `slot` and every queued task with `error` (tasks of other workers
    /// stay theirs).
    func failAll(of slot: PoolWorkerSlot, andQueued error: PoolError) {
        for task in slot.inFlight { task.fail(error) }
        slot.inFlight.removeAll()
        failQueued(error)
    }

    /// Ends every queued task with `error`: a failure for one already sent to a worker once
    /// (it was requeued) and for the parts left of a run that was being sent, a cancellation
    /// for a submission never sent.
    func failQueued(_ error: PoolError) {
        for task in retry { task.fail(error) }
        retry.removeAll()
        for submission in ready {
            if submission.isDispatched { submission.fail(error) } else { _ = submission.cancel(error) }
        }
        ready.removeAll()
        queuedTasks = 0
    }
}
