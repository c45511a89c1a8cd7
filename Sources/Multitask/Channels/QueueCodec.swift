/// The seam between queues and the message codec: how a non-trivial `Codable` element
/// becomes bytes in shared memory and back.
///
/// Trivial elements (`_isPOD`) never come here: ``Queue`` copies their bytes directly.
///
/// TEMPORARY: until the binary Codable codec (`BinaryEncoder`/`BinaryDecoder`) is merged,
/// this supports `String` and `[UInt8]` only and throws ``QueueCodecError/unsupportedType(_:)``
/// for anything else. Switching means replacing the two bodies below with
/// `bytes = try BinaryEncoder().encode(value)` / `try BinaryDecoder().decode(type, from: bytes)`.
@usableFromInline
enum QueueCodec {
    /// Appends the encoding of `value` to `bytes`.
    @usableFromInline
    static func encode<T: Codable>(_ value: T, into bytes: inout [UInt8]) throws {
        if let string = value as? String {
            bytes.append(contentsOf: string.utf8)
        } else if let raw = value as? [UInt8] {
            bytes.append(contentsOf: raw)
        } else {
            throw QueueCodecError.unsupportedType("\(T.self)")
        }
    }

    /// Decodes a `T` from `bytes` (all of them); throws on bytes that are not a `T`.
    @usableFromInline
    static func decode<T: Codable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        if T.self == String.self {
            return String(decoding: bytes, as: UTF8.self) as! T
        } else if T.self == [UInt8].self {
            return [UInt8](bytes) as! T
        }
        throw QueueCodecError.unsupportedType("\(T.self)")
    }
}

/// Why the temporary queue codec failed.
enum QueueCodecError: Error, CustomStringConvertible {
    case unsupportedType(String)

    var description: String {
        switch self {
        case .unsupportedType(let name):
            "\(name) is neither trivial (copied as bytes) nor String/[UInt8]; other Codable types need the binary codec"
        }
    }
}
