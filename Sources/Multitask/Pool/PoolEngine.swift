/// What runs a process ``Pool``'s tasks: its own worker processes on this machine (the
/// ``PoolDispatcher``), or workers somewhere else reached through a ``PoolRemoteEngine`` (the
/// MPI backend). The pool's front end — submitting, `map`, `imap`, the `async` forms, closing,
/// joining — is the same for both; this enum forwards each call with a switch, so the local
/// path keeps its specialised, statically dispatched calls.
enum PoolEngine: Sendable {
    case local(PoolDispatcher)
    case remote(PoolRemoteEngine)

    /// The pool's number for `type` and its codecs; see ``PoolInbox/ticket(for:numbers:codecs:)``.
    @inline(__always)
    func ticket(for type: any PoolTask.Type, numbers count: Int, codecs: () -> PoolTaskCodecs? = { nil }) -> PoolInbox.Ticket {
        switch self {
        case .local(let dispatcher): dispatcher.ticket(for: type, numbers: count, codecs: codecs)
        case .remote(let engine): engine.inbox.ticket(for: type, numbers: count, codecs: codecs)
        }
    }

    /// Queues `submissions`; fails them with ``PoolError/closed`` once the pool was closed.
    @inline(__always)
    func submit(_ submissions: some Collection<PoolSubmission>) {
        switch self {
        case .local(let dispatcher): dispatcher.submit(submissions)
        case .remote(let engine): engine.submit(submissions)
        }
    }

    /// Queues the submissions of `batch` and leaves it empty; the local engine takes the array
    /// over (see ``PoolDispatcher/submit(handingOver:)``).
    @inline(__always)
    func submit(handingOver batch: inout [PoolSubmission]) {
        switch self {
        case .local(let dispatcher): dispatcher.submit(handingOver: &batch)
        case .remote(let engine):
            engine.submit(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Whether it takes a `map`'s chunks as one ``ChunkRunSubmission`` (the local engine; a
    /// remote transport handles single tasks only).
    var sendsRuns: Bool {
        switch self {
        case .local: true
        case .remote: false
        }
    }

    /// Stops accepting tasks; the queued ones still run.
    func close() {
        switch self {
        case .local(let dispatcher): dispatcher.close()
        case .remote(let engine): engine.close()
        }
    }

    /// Stops accepting tasks and fails every unfinished one with ``PoolError/terminated``.
    func terminate() {
        switch self {
        case .local(let dispatcher): dispatcher.terminate()
        case .remote(let engine): engine.terminate()
        }
    }

    /// Whether `close()` or `terminate()` was not called yet.
    var isAccepting: Bool {
        switch self {
        case .local(let dispatcher): dispatcher.isAccepting
        case .remote(let engine): engine.inbox.isAccepting
        }
    }

    /// The pids of the live local workers (none for a remote engine: they are on other nodes).
    var workerPIDs: [Int32] {
        switch self {
        case .local(let dispatcher): dispatcher.workerPIDs
        case .remote: []
        }
    }

    /// Set once the engine is done.
    var finished: Event {
        switch self {
        case .local(let dispatcher): dispatcher.finished
        case .remote(let engine): engine.finished
        }
    }

    /// Calls `callback` once the engine is done (right away if it is).
    func whenFinished(_ callback: @escaping @Sendable () -> Void) {
        let inbox: PoolInbox
        switch self {
        case .local(let dispatcher): return dispatcher.whenFinished(callback)
        case .remote(let engine): inbox = engine.inbox
        }
        if !inbox.addFinishWaiter(callback) { callback() }
    }
}
