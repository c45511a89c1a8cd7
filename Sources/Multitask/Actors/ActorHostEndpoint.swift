/// What a ``ProcessActorSystem`` needs of the place that holds one host's actors: where their
/// calls go and where their outcomes come from. A child host process (``ActorHost``: two
/// shared-memory queues and a supervisor here) is one; a host on another machine, reached by
/// a transport such as MPI (``ActorRemoteHost``: its supervisor runs there), is another.
protocol ActorHostEndpoint: AnyObject, Sendable {
    /// The host's number in its system (the `host` of its actors' IDs).
    var index: UInt32 { get }
    /// Sends `call` and waits for its outcome (a failure when the host is down or dies first).
    func send(_ call: ActorCall) async -> Result<ActorOutcome, any Error>
    /// Creates actor `id` of the type named `typeName` in the host (and again after restarts).
    func create(_ id: ProcessActorID, typeName: String) async -> Result<Void, any Error>
    /// Throws if actor `id` of this host can no longer be reached.
    func checkResolvable(_ id: ProcessActorID) throws(ActorSystemError)
    /// Stops the host for good: its calls in flight throw ``ActorSystemError/shutDown``.
    func stop()
    /// Kills the host's process with SIGKILL (a crash, as far as supervision is concerned).
    func kill()
}

extension ActorHost: ActorHostEndpoint {}
