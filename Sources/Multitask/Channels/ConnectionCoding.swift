/// How ``Connection`` turns values into message bytes and back, choosing by type: a
/// ``BitwiseCodable`` value travels as its own bytes (no encoder, no allocation), `[UInt8]` and
/// `String` as their contents, anything else through ``BinaryEncoder`` / ``BinaryDecoder``.
///
/// Messages carry no type tag: the receiver must ask for the type the sender sent, as with
/// ``Queue``. A mismatch is caught where the bytes cannot be the asked-for type (a raw value
/// of the wrong size, an invalid binary encoding) and never produces an invalid value, since
/// only types valid for every bit pattern take the raw path.
enum ConnectionCoding {
    /// Calls `body` with the message bytes of `value`; they are valid only inside `body`.
    @inline(__always)
    static func withMessage<T: Encodable>(
        of value: T, _ body: (UnsafeRawBufferPointer) throws(ConnectionError) -> Void
    ) throws(ConnectionError) {
        if isRaw(T.self) {
            return try withUnsafeBytes(of: value) { (bytes) throws(ConnectionError) in try body(bytes) }
        }
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

    /// Decodes the message in `bytes` as a `T`.
    @inline(__always)
    static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws(ConnectionError) -> T {
        if isRaw(T.self) {
            guard bytes.count == MemoryLayout<T>.size else { throw wrongSize(bytes.count, for: T.self) }
            return withUnsafeTemporaryAllocation(of: T.self, capacity: 1) { slot in
                // Invariant: T is BitwiseCodable, so every bit pattern of its size is a valid T.
                if !bytes.isEmpty {
                    UnsafeMutableRawPointer(slot.baseAddress!).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                }
                return slot.baseAddress!.move()
            }
        }
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

    /// The error for a raw message of `count` bytes received as a `T` of another size.
    static func wrongSize<T>(_ count: Int, for type: T.Type) -> ConnectionError {
        .undecodable("a message of \(count) bytes cannot be a \(T.self) (\(MemoryLayout<T>.size) bytes)")
    }

    /// Whether `T` travels as its raw bytes (the ``RawBytesRule``, shared with queues and pools).
    @inline(__always)
    static func isRaw<T>(_ type: T.Type) -> Bool {
        RawBytesRule.applies(to: T.self)
    }
}
