/// What travels to a host process on its calls queue. It travels as one byte string laid out
/// by hand (see ``ActorWireBytes``): through keyed `Codable` containers, encoding and decoding
/// the call and its reply took about a third of a host's time per call.
struct ActorCall: Sendable {
    /// What a message on the calls queue asks for.
    enum Kind: UInt8, Codable, Sendable {
        /// Run a distributed method of `actor`.
        case invoke
        /// Create `actor`, of the type whose mangled name is `target`.
        case create
        /// Nothing to do: wakes the host loop for jobs enqueued by other threads.
        case wake
    }

    /// What to do.
    var kind: Kind
    /// The number the reply carries back (0: nobody waits for it).
    var callID: UInt64
    /// The actor called or created.
    var actor: ProcessActorID
    /// The distributed thunk's mangled name (`invoke`) or the actor type's (`create`).
    var target: String
    /// The mangled names of the generic substitutions, in order.
    var generics: [String]
    /// Each argument, encoded with the binary codec.
    var arguments: [[UInt8]]

    /// The message that only wakes the host loop.
    static var wake: ActorCall { ActorCall(kind: .wake, callID: 0, actor: ProcessActorID(host: 0, serial: 0), target: "", generics: [], arguments: []) }
}

/// What a host process sends back for a call (`callID`), on its replies queue (laid out by
/// hand, as ``ActorCall``, in a batch with the replies made with it).
struct ActorReply: Sendable {
    /// The call answered.
    var callID: UInt64
    /// How it ended.
    var outcome: ActorOutcome
}

/// How a call ended, as it travels.
enum ActorOutcome: Codable, Sendable {
    /// The method returned this value (binary codec).
    case value([UInt8])
    /// The method returned nothing.
    case void
    /// The method threw.
    case thrown(ActorThrownError)
}

/// An error thrown in a host process, as it travels: its type's mangled name (when it has a
/// stable one), its description, and its value when the type is `Codable`.
struct ActorThrownError: Codable, Sendable {
    /// The error type's mangled name, if it has one that travels.
    var mangledType: String?
    /// The error type's name, for people.
    var typeName: String
    /// The error's description.
    var message: String
    /// The error, encoded, when its type is `Codable`.
    var value: [UInt8]?

    /// `error` made ready to travel.
    init(_ error: any Error) {
        let type = type(of: error)
        mangledType = try? EntryType.name(of: type).get()
        typeName = String(reflecting: type)
        message = String(describing: error)
        if mangledType != nil, let encodable = error as? any Encodable {
            value = try? BinaryEncoder().encode(encodable)
        }
    }

    /// The error to throw in the caller: the original value when its type is `Codable` and
    /// known here, else a ``RemoteActorError`` with its type name and description.
    var error: any Error {
        if let mangledType, let value, let type = _typeByName(mangledType) as? any (Error & Decodable).Type,
           let decoded = try? Self.decode(type, from: value) {
            return decoded
        }
        if let error = systemError { return error }
        return RemoteActorError(typeName: typeName, message: message)
    }

    /// An ``ActorSystemError`` raised in the host (unknown actor, undecodable call), as itself.
    private var systemError: ActorSystemError? {
        typeName == String(reflecting: ActorSystemError.self) ? .transport(message) : nil
    }

    private static func decode<Failure: Error & Decodable>(_ type: Failure.Type, from bytes: [UInt8]) throws -> any Error {
        try BinaryDecoder().decode(type, from: bytes)
    }
}
