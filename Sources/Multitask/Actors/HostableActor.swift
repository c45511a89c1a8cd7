import Distributed

/// A distributed actor that a ``ProcessActorSystem`` can create in a child process (or in
/// this one) from its type alone.
///
/// The host process is the same executable: it finds the type by its mangled name, as entries
/// are found (so the type must be `internal` or `public`, at file scope or nested in another
/// type), and creates it with ``init(actorSystem:)`` — the initializer a distributed actor
/// gets when it declares none. Arguments, results and errors of its distributed methods are
/// `Codable`.
///
/// ```swift
/// distributed actor Parser: HostableActor {
///     distributed func parse(_ bytes: [UInt8]) -> Int { bytes.count }
/// }
/// let system = ProcessActorSystem()
/// let parser = try await Parser.spawn(in: .childProcess, using: system)
/// let count = try await parser.parse([1, 2, 3])   // runs in the child
/// ```
public protocol HostableActor: DistributedActor where ActorSystem == ProcessActorSystem {
    /// Creates the actor in `actorSystem` (in the host process, the system that serves it).
    init(actorSystem: ProcessActorSystem)
}

extension HostableActor {
    /// Creates an actor of this type at `placement` and returns a reference to it: in this
    /// process (`.local`), or in a host process (`.childProcess`, a new one, or
    /// `.alongside(id)`, another actor's), where calls through the reference run. The host is
    /// supervised by `system`: see ``ProcessActorSystem``.
    public static func spawn(in placement: ActorPlacement = .childProcess, using system: ProcessActorSystem) async throws -> Self {
        if case .local = placement.kind { return Self(actorSystem: system) }
        let outcome = await system.place(Self.self, at: placement)
        return try Self.resolve(id: outcome.get(), using: system)
    }
}
