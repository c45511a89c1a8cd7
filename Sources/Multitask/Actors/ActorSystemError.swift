/// Why a call to a distributed actor of a ``ProcessActorSystem`` failed in the system itself
/// (an error the actor's method threw comes back as that error, or as ``RemoteActorError``).
public enum ActorSystemError: Error, Sendable, CustomStringConvertible {
    /// The host process holding the actor ended while the call was in flight, or before it
    /// was sent: its exit code (`-N` for signal N) and, for a crash, the report the child
    /// wrote (signal, the runtime's message, the innermost frames).
    case hostCrashed(exitCode: Int32, report: CrashReport?)
    /// The call had no reply within the system's call timeout: its host was killed and is
    /// replaced according to the restart policy.
    case callTimedOut(Duration)
    /// The actor's host died more often than its restart policy allows (or the policy does not
    /// restart): the actor is gone for good.
    case actorDead(ProcessActorID)
    /// No actor with this ID exists in the system.
    case unknownActor(ProcessActorID)
    /// The system was shut down.
    case shutDown
    /// A host could not be started, or the type to create there is not a ``HostableActor``.
    case hostUnavailable(String)
    /// A call or its reply could not be encoded or decoded.
    case transport(String)

    /// What went wrong, in a sentence.
    public var description: String {
        switch self {
        case .hostCrashed(let code, let report):
            if let report { "the actor's host process crashed: \(report)" } else { "the actor's host process ended with exit code \(code)" }
        case .callTimedOut(let timeout): "the call had no reply within \(timeout); its host process was killed"
        case .actorDead(let id): "\(id) is dead: its host exceeded the restart limit"
        case .unknownActor(let id): "no actor \(id) in this actor system"
        case .shutDown: "the actor system was shut down"
        case .hostUnavailable(let why): "the actor's host is unavailable: \(why)"
        case .transport(let why): "the call could not cross the process boundary: \(why)"
        }
    }
}

/// An error thrown by a distributed method in a host process whose type could not travel as a
/// value (it is not `Codable`, or not known in this process): its type name and description.
public struct RemoteActorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error's type, as `String(reflecting:)` wrote it in the host.
    public let typeName: String
    /// The error's description in the host.
    public let message: String

    /// `TypeName: message`.
    public var description: String { "\(typeName): \(message)" }
}
