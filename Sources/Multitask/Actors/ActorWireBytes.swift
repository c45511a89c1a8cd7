/// The byte layout of ``ActorCall`` and ``ActorReply``: little-endian fixed-width fields and
/// `u32`-length-prefixed byte strings (``FrameFields``), carried by the binary codec as one
/// `[UInt8]` (a length and a copy). The bytes come from another process: every length is
/// checked against the bytes that arrived, and anything that does not read is a
/// ``ActorSystemError/transport(_:)``, never a trap or an allocation beyond the message.
///
/// Call: kind `u8`, call ID `u64`, actor host `u32` and serial `u64`, target, generic count
/// `u32` and each name, argument count `u32` and each argument (strings and arguments are
/// byte strings). Reply: call ID `u64`, outcome `u8` (0 value, 1 void, 2 thrown) and, for a
/// value, its bytes; for a thrown error, the ``ActorThrownError`` in the binary codec.
enum ActorWireBytes {
    /// The fewest bytes a generic name or an argument takes (its length).
    static let smallestString = 4

    /// Reads `count` byte strings, refusing a count the remaining bytes cannot hold before
    /// anything is reserved.
    static func strings(_ fields: inout FrameFields, _ part: String) throws(ActorSystemError) -> [[UInt8]] {
        guard let count = fields.read(UInt32.self), Int(count) * smallestString <= fields.rest.count else {
            throw .transport("a malformed call (\(part) count)")
        }
        var strings: [[UInt8]] = []
        strings.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let bytes = fields.readByteString() else { throw .transport("a malformed call (\(part))") }
            strings.append(Array(bytes))
        }
        return strings
    }

    /// The byte string `decoder` holds (the whole message).
    static func message(from decoder: any Decoder) throws -> [UInt8] {
        try decoder.singleValueContainer().decode([UInt8].self)
    }

    /// Encodes `bytes` as the whole message.
    static func encode(_ bytes: [UInt8], to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }
}

extension ActorCall {
    /// The call's bytes.
    var wireBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(37 + target.utf8.count + generics.reduce(0) { $0 + 4 + $1.utf8.count } + arguments.reduce(0) { $0 + 4 + $1.count })
        bytes.appendField(kind.rawValue)
        bytes.appendField(callID)
        bytes.appendField(actor.host)
        bytes.appendField(actor.serial)
        bytes.appendByteString(target.utf8)
        bytes.appendField(UInt32(generics.count))
        for name in generics { bytes.appendByteString(name.utf8) }
        bytes.appendField(UInt32(arguments.count))
        for argument in arguments { bytes.appendByteString(argument) }
        return bytes
    }

    /// The call `bytes` hold.
    init(wireBytes bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { buffer throws -> ActorCall in
            var fields = FrameFields(buffer)
            guard let rawKind = fields.read(UInt8.self), let kind = Kind(rawValue: rawKind),
                  let callID = fields.read(UInt64.self), let host = fields.read(UInt32.self),
                  let serial = fields.read(UInt64.self), let target = fields.readByteString()
            else { throw ActorSystemError.transport("a malformed call (header)") }
            let generics = try ActorWireBytes.strings(&fields, "generic names").map { String(decoding: $0, as: UTF8.self) }
            let arguments = try ActorWireBytes.strings(&fields, "arguments")
            guard fields.rest.isEmpty else { throw ActorSystemError.transport("a malformed call (bytes after the arguments)") }
            return ActorCall(kind: kind, callID: callID, actor: ProcessActorID(host: host, serial: serial),
                             target: String(decoding: target, as: UTF8.self), generics: generics, arguments: arguments)
        }
    }

    /// Decodes the call from its bytes.
    init(from decoder: any Decoder) throws {
        try self.init(wireBytes: ActorWireBytes.message(from: decoder))
    }

    /// Encodes the call as its bytes.
    func encode(to encoder: any Encoder) throws {
        try ActorWireBytes.encode(wireBytes, to: encoder)
    }
}

extension ActorReply {
    /// The reply's bytes.
    func wireBytes() throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendField(callID)
        switch outcome {
        case .value(let value):
            bytes.reserveCapacity(13 + value.count)
            bytes.appendField(UInt8(0))
            bytes.appendByteString(value)
        case .void:
            bytes.appendField(UInt8(1))
        case .thrown(let thrown):
            bytes.appendField(UInt8(2))
            bytes.appendByteString(try BinaryEncoder().encode(thrown))
        }
        return bytes
    }

    /// The reply `bytes` hold.
    init(wireBytes bytes: [UInt8]) throws {
        self = try bytes.withUnsafeBytes { buffer throws -> ActorReply in
            var fields = FrameFields(buffer)
            guard let callID = fields.read(UInt64.self), let kind = fields.read(UInt8.self) else {
                throw ActorSystemError.transport("a malformed reply (header)")
            }
            let outcome: ActorOutcome
            switch kind {
            case 0:
                guard let value = fields.readByteString() else { throw ActorSystemError.transport("a malformed reply (value)") }
                outcome = .value(Array(value))
            case 1:
                outcome = .void
            case 2:
                guard let thrown = fields.readByteString() else { throw ActorSystemError.transport("a malformed reply (error)") }
                outcome = .thrown(try BinaryDecoder().decode(ActorThrownError.self, from: Array(thrown)))
            default:
                throw ActorSystemError.transport("a malformed reply (outcome \(kind))")
            }
            guard fields.rest.isEmpty else { throw ActorSystemError.transport("a malformed reply (bytes after the outcome)") }
            return ActorReply(callID: callID, outcome: outcome)
        }
    }

    /// Decodes the reply from its bytes.
    init(from decoder: any Decoder) throws {
        try self.init(wireBytes: ActorWireBytes.message(from: decoder))
    }

    /// Encodes the reply as its bytes.
    func encode(to encoder: any Encoder) throws {
        try ActorWireBytes.encode(wireBytes(), to: encoder)
    }
}
