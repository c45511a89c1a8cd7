/// The byte layout of ``ActorCall`` and ``ActorReply``: little-endian fixed-width fields and
/// `u32`-length-prefixed byte strings (``FrameFields``), each call one `[UInt8]` message on the
/// calls queue and each batch of replies one on the replies queue (the queue copies a byte
/// array in and out, no `Codable` on the way). The bytes come from another process: every length is
/// checked against the bytes that arrived, and anything that does not read is a
/// ``ActorSystemError/transport(_:)``, never a trap or an allocation beyond the message.
///
/// Call: kind `u8`, call ID `u64`, actor host `u32` and serial `u64`, target, generic count
/// `u32` and each name, argument count `u32` and each argument (strings and arguments are
/// byte strings). Reply: call ID `u64`, outcome `u8` (0 value, 1 void, 2 thrown) and, for a
/// value, its bytes; for a thrown error, the ``ActorThrownError`` in the binary codec. Reply
/// batch: each reply's bytes as a byte string, one after the other.
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

    /// One message holding `replies` (a reply whose bytes cannot be made goes as a transport
    /// error, so that its caller is answered anyway).
    static func batch(of replies: [ActorReply]) -> [UInt8] {
        var bytes: [UInt8] = []
        for reply in replies {
            let encoded = (try? reply.wireBytes()) ?? (try? ActorReply(callID: reply.callID, outcome: .thrown(ActorThrownError(
                ActorSystemError.transport("the reply cannot be encoded")))).wireBytes())
            if let encoded { bytes.appendByteString(encoded) }
        }
        return bytes
    }

    /// The replies a batch message holds.
    static func replies(inBatch bytes: [UInt8]) throws(ActorSystemError) -> [ActorReply] {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ActorSystemError) -> [ActorReply] in
                var fields = FrameFields(buffer)
                var replies: [ActorReply] = []
                while !fields.rest.isEmpty {
                    guard let reply = fields.readByteString() else { throw .transport("a malformed reply batch") }
                    replies.append(try ActorReply(wireBytes: reply))
                }
                return replies
            }
        }.get()
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
    init(wireBytes bytes: [UInt8]) throws(ActorSystemError) {
        self = try bytes.withUnsafeBytes { buffer in Result { () throws(ActorSystemError) in try ActorReply(wireBytes: buffer) } }.get()
    }

    /// The reply `buffer` holds.
    init(wireBytes buffer: UnsafeRawBufferPointer) throws(ActorSystemError) {
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
            guard let thrown = fields.readByteString(),
                  let error = try? BinaryDecoder().decode(ActorThrownError.self, from: Array(thrown))
            else { throw ActorSystemError.transport("a malformed reply (error)") }
            outcome = .thrown(error)
        default:
            throw ActorSystemError.transport("a malformed reply (outcome \(kind))")
        }
        guard fields.rest.isEmpty else { throw ActorSystemError.transport("a malformed reply (bytes after the outcome)") }
        self.init(callID: callID, outcome: outcome)
    }
}
