import Distributed

/// A `DistributedActorSystem` whose actors live in this process or in supervised child
/// processes of the same executable, with the same calling code either way.
///
/// ```swift
/// distributed actor Parser: HostableActor {
///     distributed func parse(_ bytes: [UInt8]) throws -> Int { … }
/// }
/// let system = ProcessActorSystem(restartPolicy: .oneForOne(maxRestarts: 3, within: .seconds(5)))
/// defer { system.shutdown() }
/// let parser = try await Parser.spawn(in: .childProcess, using: system)
/// let count = try await parser.parse(bytes)
/// ```
///
/// - Calls travel over two shared-memory ``Queue``s per host process (calls in, replies
///   out), encoded with the binary codec: arguments, results and generic substitutions (by
///   mangled type name). The host serves them on one thread that also runs the calls' jobs;
///   in the caller, one reader thread per host resumes the waiting calls directly.
/// - An error thrown by a method comes back as itself when its type is `Codable` (and known
///   here), else as a ``RemoteActorError`` with its type name and description.
/// - When a host process dies, every call in flight to its actors throws
///   ``ActorSystemError/hostCrashed(exitCode:report:)`` with the child's crash report, calls
///   made meanwhile fail at once, and the host is restarted with its actors (same IDs, so
///   existing references work again) according to the ``ActorRestartPolicy``; beyond its
///   limit the actors are dead: calls and `resolve` throw ``ActorSystemError/actorDead(_:)``.
/// - With a `callTimeout`, a call with no reply by then throws
///   ``ActorSystemError/callTimedOut(_:)`` and its host is killed (and restarted).
/// - ``shutdown()`` stops every host process; a system that is not shut down leaves its
///   hosts (daemon processes) to end with the program.
public final class ProcessActorSystem: DistributedActorSystem, Sendable {
    /// Actors are named by host and serial number.
    public typealias ActorID = ProcessActorID
    /// Arguments, results and errors cross processes as `Codable` values.
    public typealias SerializationRequirement = any Codable
    /// Records a call in the caller.
    public typealias InvocationEncoder = ActorInvocationEncoder
    /// Replays a call in the host.
    public typealias InvocationDecoder = ActorInvocationDecoder
    /// Sends a call's outcome back from the host.
    public typealias ResultHandler = ActorResultHandler

    /// A weak reference to an actor of this process (the system must not keep it alive).
    struct LocalActor {
        /// The actor, while it lives.
        weak var actor: (any DistributedActor)?
    }

    /// What the system knows, under one lock.
    struct Registry {
        /// The serial number of the next actor.
        var nextSerial: UInt64 = 1
        /// The number of the next host.
        var nextHost: UInt32 = 1
        /// The actors of this process, by ID.
        var local: [ProcessActorID: LocalActor] = [:]
        /// In a host process: the actors it serves, kept alive.
        var hosted: [ProcessActorID: any DistributedActor] = [:]
        /// The host processes, by number.
        var hosts: [UInt32: any ActorHostEndpoint] = [:]
        /// The ID the next `assignID` hands out (a host creating an actor the parent named).
        var assigning: ProcessActorID?
        /// Whether ``shutdown()`` was called (no new host starts).
        var isShutDown = false
    }

    /// The actors and hosts.
    let registry = LockedBox(Registry())
    /// How hosts are restarted.
    let restartPolicy: ActorRestartPolicy
    /// How long a call to a host may wait for its reply (nil: no limit).
    let callTimeout: Duration?
    /// In a host process: where results go. Nil in the system that owns the hosts.
    let hostReplies: Queue<[UInt8]>?
    /// The plans of the targets this process has run, by mangled name (see ``ActorTargetPlan``).
    let targetPlans = LockedBox([String: ActorTargetPlan]())
    /// An opt-in executor for tasks that make many concurrent calls to this system's host
    /// processes: run them with it as their executor preference —
    /// `withTaskExecutorPreference(system.callerExecutor) { … }`, `Task(executorPreference:)`
    /// or `group.addTask(executorPreference:)` — and their calls resume on one library thread
    /// that reads their replies itself, instead of waking the host's reply reader and a
    /// cooperative thread for each batch of replies (8 callers: about twice the calls per
    /// second on a machine with a CPU to spare, see ``ActorCallerExecutor``). Everything those
    /// tasks do runs on that one thread, so CPU-heavy callers should not use it. Tasks without
    /// the preference are unaffected. Its thread starts with its first job and ends with
    /// ``shutdown()`` (or when the system is released).
    public let callerExecutor = ActorCallerExecutor(name: "actor-callers")

    /// A system whose hosts are restarted by `restartPolicy` and whose calls to hosts fail
    /// after `callTimeout` (nil: no limit), killing the host that did not answer.
    public init(restartPolicy: ActorRestartPolicy = .oneForOne(), callTimeout: Duration? = nil) {
        if let callTimeout { Deadline.checkTimeout(callTimeout, of: "ProcessActorSystem(callTimeout:)") }
        self.restartPolicy = restartPolicy
        self.callTimeout = callTimeout
        self.hostReplies = nil
    }

    /// The system of a host process, replying on `hostReplies`.
    init(hostReplies: Queue<[UInt8]>) {
        self.restartPolicy = .never
        self.callTimeout = nil
        self.hostReplies = hostReplies
    }

    /// A new ID: the one a host was told to use, else the next of this process.
    public func assignID<Act>(_ actorType: Act.Type) -> ProcessActorID where Act: DistributedActor, Act.ID == ProcessActorID {
        registry.withLock { registry in
            if let id = registry.assigning {
                registry.assigning = nil
                return id
            }
            defer { registry.nextSerial += 1 }
            return ProcessActorID(host: hostReplies == nil ? 0 : ProcessActorID.hostLocal, serial: registry.nextSerial)
        }
    }

    /// Records a local actor, so that `resolve` finds it.
    public func actorReady<Act>(_ actor: Act) where Act: DistributedActor, Act.ID == ProcessActorID {
        // A loopback actor is reached through remote calls only.
        guard actor.id.host != ProcessActorID.hostLoopback else { return }
        registry.withLock { $0.local[actor.id] = LocalActor(actor: actor) }
    }

    /// Forgets a local actor that is gone.
    public func resignID(_ id: ProcessActorID) {
        registry.withLock { _ = $0.local.removeValue(forKey: id) }
    }

    /// The local actor `id`, or nil for an actor of a host process (calls then go there).
    /// Throws ``ActorSystemError/actorDead(_:)`` for an actor whose host exceeded its restart
    /// limit and ``ActorSystemError/unknownActor(_:)`` for an ID this system never made.
    public func resolve<Act>(id: ProcessActorID, as actorType: Act.Type) throws -> Act? where Act: DistributedActor, Act.ID == ProcessActorID {
        if id.host == ProcessActorID.hostLoopback {
            guard registry.withLock({ $0.hosted[id] is Act }) else { throw ActorSystemError.unknownActor(id) }
            return nil
        }
        let host = try registry.withLock { registry throws(ActorSystemError) -> (any ActorHostEndpoint)? in
            if let actor = registry.local[id]?.actor {
                guard actor is Act else { throw .unknownActor(id) }
                return nil
            }
            guard let host = registry.hosts[id.host] else { throw .unknownActor(id) }
            return host
        }
        guard let host else { return registry.withLock { $0.local[id]?.actor as? Act } }
        try host.checkResolvable(id)
        return nil
    }

    /// A recorder for a call to a remote actor.
    public func makeInvocationEncoder() -> ActorInvocationEncoder { ActorInvocationEncoder() }

    /// Stops every host process (their actors' calls in flight throw
    /// ``ActorSystemError/shutDown``) and waits for them to end. Calls made afterwards fail.
    /// The ``callerExecutor``'s thread ends once it has run the jobs queued (and is joined,
    /// unless `shutdown()` runs on it).
    public func shutdown() {
        let hosts = registry.withLock { registry in
            registry.isShutDown = true
            return Array(registry.hosts.values)
        }
        for host in hosts { host.stop() }
        callerExecutor.stop()
    }

    /// A system dropped without ``shutdown()`` still ends its ``callerExecutor``'s thread
    /// (nothing can call through the system any more).
    deinit {
        callerExecutor.stop()
    }

    /// Kills the host process of actor `id` with SIGKILL, as a crash would end it (for
    /// measurements of supervision: its calls fail and the policy decides what follows).
    package func killHost(of id: ProcessActorID) {
        registry.withLock { $0.hosts[id.host] }?.kill()
    }

    // MARK: In a host process

    /// Creates actor `id` of `type` in this host process and keeps it alive.
    func host(_ type: any HostableActor.Type, as id: ProcessActorID) {
        registry.withLock { $0.assigning = id }
        let actor = type.init(actorSystem: self)
        registry.withLock { $0.hosted[id] = actor }
    }

    /// The actor `id` this host process serves.
    func hostedActor(_ id: ProcessActorID) -> (any DistributedActor)? {
        registry.withLock { $0.hosted[id] }
    }
}
