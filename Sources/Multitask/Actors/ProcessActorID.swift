/// The identity of a distributed actor of a ``ProcessActorSystem``: which host process holds
/// it (0: the process that created it) and its serial number there.
///
/// An ID stays valid across restarts of its host: the supervisor re-creates the actor under
/// the same ID, so references held by callers work again once the host is back.
public struct ProcessActorID: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The host process holding the actor: 0 for the process that created the system,
    /// ``ProcessActorID/hostLocal`` for actors a host process made for itself, otherwise the
    /// index of a child host.
    public let host: UInt32
    /// The actor's number, unique within its system.
    public let serial: UInt64

    /// The host number of actors that a host process creates for its own use (not reachable
    /// from the parent).
    public static let hostLocal: UInt32 = .max

    /// The host number of loopback actors (``ActorPlacement/loopback``): in this process,
    /// called through the remote-call path.
    static let hostLoopback: UInt32 = 4_294_967_294

    /// An ID naming actor `serial` of host `host`.
    public init(host: UInt32, serial: UInt64) {
        self.host = host
        self.serial = serial
    }

    /// `actor 7@host 2`, or `actor 7@local` for an actor of the creating process.
    public var description: String {
        switch host {
        case 0: "actor \(serial)@local"
        case Self.hostLocal: "actor \(serial)@host-internal"
        case Self.hostLoopback: "actor \(serial)@loopback"
        default: "actor \(serial)@host \(host)"
        }
    }
}
