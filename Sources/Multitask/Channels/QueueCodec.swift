/// The path of queue elements that are neither trivial nor bytes/strings: the package's
/// compact binary `Codable` format (``BinaryEncoder`` / ``BinaryDecoder``). Decoding hostile
/// or truncated bytes throws ``CodecError``; it never traps.
@usableFromInline
enum QueueCodec {
    @usableFromInline
    static func encode<T: Codable>(_ value: T, into bytes: inout [UInt8]) throws {
        try BinaryEncoder().append(value, to: &bytes)
    }

    @usableFromInline
    static func decode<T: Codable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        try BinaryDecoder().decode(type, from: bytes)
    }
}
