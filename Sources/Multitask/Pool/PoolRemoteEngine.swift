/// The engine of a process ``Pool`` whose workers are elsewhere (the MPI backend, in the
/// `MultitaskMPI` module): the pool's front end queues submissions here, and a transport thread
/// takes them (``takeArrivals()``), sends them to remote workers, and settles each with the
/// encoded output or a ``PoolError`` it got back.
///
/// The transport's thread plays the dispatcher's part: outcomes (and so result callbacks and
/// `progress`) are delivered on it. It is rung through `ring` when something arrives or the
/// pool is closed or terminated, and calls ``finish()`` once it is done.
// @unchecked: `inbox` and `finished` guard their own state; `ring` is immutable.
package final class PoolRemoteEngine: @unchecked Sendable {
    /// What the transport sees of the pool's phase.
    package enum Phase: Sendable { case running, closing, terminating }

    /// How a thread that submitted one task and blocks until its result is ready lends itself
    /// to the transport (see ``submit(_:awaiting:wait:)``): `rang` says the submission found
    /// the transport asleep (the transport was not rung: this call must see to it); `isReady`
    /// says whether the result is ready, `wait` waits at most a duration for it and says so.
    package typealias Awaiting = @Sendable (
        _ rang: Bool, _ isReady: () -> Bool, _ wait: (Duration) -> Bool
    ) -> Void

    let inbox: PoolInbox
    let finished = Event()
    private let ring: @Sendable () -> Void
    private let awaiting: Awaiting?

    /// An engine whose transport is woken by `ring`, and which, given `awaiting`, lets the
    /// thread of an `apply` serve the transport while it waits for its result.
    package init(ring: @escaping @Sendable () -> Void, awaiting: Awaiting? = nil) {
        inbox = PoolInbox(size: 0)
        self.ring = ring
        self.awaiting = awaiting
    }

    /// Queues `submissions`; fails them with ``PoolError/closed`` once the pool was closed.
    func submit(_ submissions: some Collection<PoolSubmission>) {
        let (accepted, wake) = inbox.submit(submissions)
        if !accepted { for submission in submissions { submission.cancel(.closed) } }
        if wake { ring() }
    }

    /// Queues `submission`, whose result the calling thread awaits next (an `apply`): the
    /// transport may have the thread send it and take its reply itself, so that a round trip
    /// needs no wake-up of the transport's thread. Returns once the result is ready, or when
    /// the transport lets the thread go (the caller then waits as usual).
    func submit(_ submission: PoolSubmission, awaiting isReady: () -> Bool, wait: (Duration) -> Bool) {
        let (accepted, wake) = inbox.submit(CollectionOfOne(submission))
        guard accepted else {
            submission.cancel(.closed)
            return
        }
        guard let awaiting else {
            if wake { ring() }
            return
        }
        awaiting(wake, isReady, wait)
    }

    /// Stops accepting tasks; the transport finishes the queued ones.
    func close() {
        inbox.close()
        ring()
    }

    /// Stops accepting tasks and fails the ones the transport did not take yet.
    func terminate() {
        for submission in inbox.terminate() { submission.cancel(.terminated) }
        ring()
    }

    // MARK: The transport

    /// Takes the tasks that arrived, with the current phase. A task is only claimed by
    /// ``PoolRemoteTask/take()``, just before it is sent: until then it can still be cancelled.
    package func takeArrivals() -> (tasks: [PoolRemoteTask], phase: Phase) {
        var arrived: [PoolSubmission] = []
        let phase = inbox.takeArrivals(into: &arrived)
        let tasks = arrived.map { PoolRemoteTask(submission: $0, inbox: inbox) }
        switch phase {
        case .running: return (tasks, .running)
        case .closing: return (tasks, .closing)
        case .terminating: return (tasks, .terminating)
        }
    }

    /// Announces that the transport will sleep: false when tasks arrived or the phase changed
    /// since `phase` was taken (it must not sleep then). While it sleeps, submitters ring it.
    package func prepareToSleep(in phase: Phase) -> Bool {
        switch phase {
        case .running: inbox.prepareToSleep(in: .running, workersBusy: false)
        case .closing: inbox.prepareToSleep(in: .closing, workersBusy: false)
        case .terminating: inbox.prepareToSleep(in: .terminating, workersBusy: false)
        }
    }

    /// The mangled name of the task type the pool numbered `typeID` (see ``PoolRemoteTask/typeID``).
    package func typeName(of typeID: UInt32) -> String? {
        let names = inbox.allTypeNames
        return Int(typeID) < names.count ? names[Int(typeID)] : nil
    }

    /// The transport cannot go on (a remote worker was lost): the pool accepts no more tasks,
    /// and those the transport did not take yet fail with `error(label)`.
    package func abandon(_ error: (_ label: String) -> PoolError) {
        for submission in inbox.terminate() { submission.cancel(error(submission.label)) }
    }

    /// The transport is done: wakes `join()` and the `joined()` waiters.
    package func finish() {
        let waiters = inbox.finish()
        finished.set()
        for waiter in waiters { waiter() }
    }
}

/// One task of a ``PoolRemoteEngine``'s pool, as its transport handles it.
package struct PoolRemoteTask: Sendable {
    let submission: PoolSubmission
    /// The inbox the task was submitted to: it keeps the task type's codecs, which the
    /// submission does not retain (see ``ResultSubmission``), while the transport holds it.
    let inbox: PoolInbox

    /// The pool's number for the task's type; ``PoolRemoteEngine/typeName(of:)`` names it.
    package var typeID: UInt32 { submission.typeID }
    /// The encoded task.
    package var payload: [UInt8] {
        // Through withPayload: a map chunk of raw inputs keeps no array of its own.
        var bytes: [UInt8] = []
        submission.withPayload { bytes = Array($0) }
        return bytes
    }
    /// How long the task may run once started; nil: no limit.
    package var timeout: Duration? { submission.timeout }
    /// "task #12 (Square)", for error messages.
    package var label: String { submission.label }

    /// Claims the task for sending; false when it was cancelled first (it is settled then).
    package func take() -> Bool { submission.take() }

    /// Fails the task with `reason` unless it was claimed; returns whether it did.
    @discardableResult
    package func cancel(_ reason: PoolError) -> Bool { submission.cancel(reason) }

    /// The task's encoded output arrived. Call once, after ``take()``.
    package func succeed(_ output: UnsafeRawBufferPointer) { submission.succeed(output) }

    /// The task failed. Call once, after ``take()``.
    package func fail(_ error: PoolError) { submission.fail(error) }
}
