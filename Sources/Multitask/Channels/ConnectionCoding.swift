/// How ``Connection`` turns values into message bytes and back, choosing by type: a
/// ``BitwiseCodable`` value travels as its own bytes (no encoder, no allocation), `[UInt8]` and
/// `String` as their contents, anything else through ``BinaryEncoder`` / ``BinaryDecoder``.
///
/// The raw choice is made in the inlinable `Connection.send(_:)` and `receive(_:)`, so that a
/// client's `send(42)` is specialized in the client: the type test folds away and no generic
/// metadata is looked up per message (the rule of ``MessageCoding`` for queues). What is
/// here is the rest: the message of a value that does not travel raw.
///
/// Messages carry no type tag: the receiver must ask for the type the sender sent, as with
/// ``Queue``. A mismatch is caught where the bytes cannot be the asked-for type (a raw value
/// of the wrong size, an invalid binary encoding) and never produces an invalid value, since
/// only types valid for every bit pattern take the raw path.
enum ConnectionCoding {
    /// Calls `body` with the message bytes of `value`, a value that does not travel raw (see
    /// ``isRaw(_:)``); they are valid only inside `body`.
    @inline(__always)
    static func withEncodedMessage<T: Encodable>(
        of value: T, _ body: (UnsafeRawBufferPointer) throws(ConnectionError) -> Void
    ) throws(ConnectionError) {
        // Exact type tests: `as?` would also match an empty array of another element type.
        if T.self == [UInt8].self {
            return try unsafeBitCast(value, to: [UInt8].self).withContiguousBytes(body)
        }
        if T.self == String.self {
            var string = unsafeBitCast(value, to: String.self)
            return try string.withContiguousUTF8(body)
        }
        let encoded: [UInt8]
        do {
            encoded = try BinaryEncoder().encode(value)
        } catch {
            throw .unencodable("\(error)")
        }
        try encoded.withContiguousBytes(body)
    }

    /// Decodes the message in `bytes` as a `T`, a type that does not travel raw (see
    /// ``isRaw(_:)``).
    @inline(__always)
    static func decodeEncoded<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws(ConnectionError) -> T {
        if T.self == [UInt8].self { return unsafeBitCast([UInt8](bytes), to: T.self) }
        if T.self == String.self {
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw .undecodable("a String message is not valid UTF-8")
            }
            return unsafeBitCast(string, to: T.self)
        }
        do {
            return try BinaryDecoder().decode(T.self, from: bytes)
        } catch {
            throw .undecodable("\(error)")
        }
    }

    /// The error for a raw message of `count` bytes received as a `type` of `size` bytes.
    static func wrongSize(_ count: Int, for type: Any.Type, size: Int) -> ConnectionError {
        .undecodable("a message of \(count) bytes cannot be a \(type) (\(size) bytes)")
    }

    /// Whether `T` travels as its raw bytes (the ``RawBytesRule``, shared with queues and pools).
    @inline(__always)
    static func isRaw<T>(_ type: T.Type) -> Bool {
        RawBytesRule.applies(to: T.self)
    }
}
