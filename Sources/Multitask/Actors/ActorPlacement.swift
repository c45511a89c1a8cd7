/// Where ``HostableActor/spawn(in:using:)`` creates an actor.
public struct ActorPlacement: Sendable {
    /// The places.
    enum Kind: Sendable {
        /// This process.
        case local
        /// A new host process, started with this method (nil: the program default).
        case newHost(StartMethod?)
        /// The host process of this actor.
        case alongside(ProcessActorID)
        /// This process, called through the remote-call path.
        case loopback
        /// A new host placed elsewhere by a transport (an MPI node).
        case remote(any ActorRemoteHosting)
    }

    /// The place.
    let kind: Kind

    /// In this process: calls are ordinary distributed-actor calls, no process boundary.
    public static var local: ActorPlacement { ActorPlacement(kind: .local) }
    /// In a new child process of its own, started with the program's default start method
    /// (`.forkserver` unless changed).
    public static var childProcess: ActorPlacement { ActorPlacement(kind: .newHost(nil)) }

    /// In a new child process of its own, started with `method`.
    public static func childProcess(_ method: StartMethod) -> ActorPlacement { ActorPlacement(kind: .newHost(method)) }

    /// In this process, but called as an actor of a host process is: every call's invocation
    /// is encoded, read back as a host reads it, run with `executeDistributedTarget`, and
    /// its reply encoded and decoded — everything but the queues and the process boundary.
    /// The peer that `multitask bench` measures a host's round trip against.
    package static var loopback: ActorPlacement { ActorPlacement(kind: .loopback) }

    /// In the host process of the actor `id` (they crash, and are restarted, together).
    public static func alongside(_ id: ProcessActorID) -> ActorPlacement { ActorPlacement(kind: .alongside(id)) }
}

/// What the supervisor of a ``ProcessActorSystem`` does when a host process dies (OTP's
/// one-for-one strategy: only the dead host is restarted, with the actors it held).
public struct ActorRestartPolicy: Sendable {
    /// Restarts allowed within ``window``; one more within it marks the host's actors dead.
    public let maxRestarts: Int
    /// The sliding window the restarts are counted in.
    public let window: Duration

    /// Restart a dead host, at most `maxRestarts` times within `window` (OTP's `intensity`
    /// and `period`). A negative `maxRestarts` or a negative window is a programmer error.
    public static func oneForOne(maxRestarts: Int = 3, within window: Duration = .seconds(5)) -> ActorRestartPolicy {
        precondition(maxRestarts >= 0 && window >= .zero, "ActorRestartPolicy: maxRestarts and window must not be negative")
        return ActorRestartPolicy(maxRestarts: maxRestarts, window: window)
    }

    /// ``window`` in nanoseconds.
    var windowNanoseconds: Int64 {
        let (seconds, attoseconds) = window.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }

    /// Never restart: the actors of a host that dies are dead.
    public static var never: ActorRestartPolicy { ActorRestartPolicy(maxRestarts: 0, window: .zero) }
}
