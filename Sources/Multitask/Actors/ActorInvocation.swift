import Distributed

/// Records a distributed call in the caller: the generic substitutions by mangled type name
/// and each argument encoded with the binary codec.
public struct ActorInvocationEncoder: DistributedTargetInvocationEncoder {
    /// Arguments, results and errors cross processes as `Codable` values.
    public typealias SerializationRequirement = any Codable

    /// The generic substitutions' mangled names, in order.
    var generics: [String] = []
    /// The arguments, encoded, in order.
    var arguments: [[UInt8]] = []
    /// The first failure, thrown when the call is sent (recording cannot report it well).
    var failure: ActorSystemError?

    /// Records generic parameter `type` by its mangled name.
    public mutating func recordGenericSubstitution<T>(_ type: T.Type) throws {
        guard let name = _mangledTypeName(type) else {
            throw ActorSystemError.transport("the generic argument \(type) has no mangled name")
        }
        generics.append(name)
    }

    /// Records `argument`, encoded.
    public mutating func recordArgument<Value: Codable>(_ argument: RemoteCallArgument<Value>) throws {
        do {
            arguments.append(try BinaryEncoder().encode(argument.value))
        } catch {
            throw ActorSystemError.transport("argument \(argument.label ?? argument.name) cannot be encoded: \(error)")
        }
    }

    /// Nothing to record: the error travels with its own type name.
    public mutating func recordErrorType<E: Error>(_ type: E.Type) throws {}

    /// Nothing to record: the caller decodes the type it expects.
    public mutating func recordReturnType<R: Codable>(_ type: R.Type) throws {}

    /// Nothing left to do.
    public mutating func doneRecording() throws {}
}

/// Replays a recorded call in the host: generic substitutions resolved by mangled name and
/// arguments decoded in order. Bytes from the calls queue are untrusted: a bad name or
/// argument throws.
public struct ActorInvocationDecoder: DistributedTargetInvocationDecoder {
    /// Arguments, results and errors cross processes as `Codable` values.
    public typealias SerializationRequirement = any Codable

    /// The generic substitutions' mangled names, in order.
    let generics: [String]
    /// The arguments, encoded, in order.
    let arguments: [[UInt8]]
    /// The index of the next argument to decode.
    var next = 0

    /// A decoder of `call`'s substitutions and arguments.
    init(_ call: ActorCall) {
        generics = call.generics
        arguments = call.arguments
    }

    /// The generic substitutions, resolved in this process.
    public mutating func decodeGenericSubstitutions() throws -> [any Any.Type] {
        try generics.map { name in
            guard let type = _typeByName(name) else { throw ActorSystemError.transport("unknown generic argument type \(name)") }
            return type
        }
    }

    /// The next argument.
    public mutating func decodeNextArgument<Argument: Codable>() throws -> Argument {
        guard next < arguments.count else { throw ActorSystemError.transport("the call has only \(arguments.count) arguments") }
        defer { next += 1 }
        return try BinaryDecoder().decode(Argument.self, from: arguments[next])
    }

    /// Not recorded.
    public mutating func decodeErrorType() throws -> (any Any.Type)? { nil }

    /// Not recorded.
    public mutating func decodeReturnType() throws -> (any Any.Type)? { nil }
}

/// Sends the outcome of a call executed in a host back to the caller, through the host's
/// ``ActorReplyOutbox``.
public struct ActorResultHandler: DistributedTargetInvocationResultHandler {
    /// Arguments, results and errors cross processes as `Codable` values.
    public typealias SerializationRequirement = any Codable

    /// The call whose outcome this is.
    let callID: UInt64
    /// Where the outcome goes.
    let outbox: ActorReplyOutbox

    /// The method returned `value`.
    public func onReturn<Success: Codable>(value: Success) async throws {
        do {
            send(.value(try BinaryEncoder().encode(value)))
        } catch {
            send(.thrown(ActorThrownError(ActorSystemError.transport("the result cannot be encoded: \(error)"))))
        }
    }

    /// The method returned.
    public func onReturnVoid() async throws { send(.void) }

    /// The method threw `error`.
    public func onThrow<Err: Error>(error: Err) async throws { send(.thrown(ActorThrownError(error))) }

    /// Sends the reply (through the host's outbox).
    func send(_ outcome: ActorOutcome) {
        outbox.send(ActorReply(callID: callID, outcome: outcome))
    }
}
