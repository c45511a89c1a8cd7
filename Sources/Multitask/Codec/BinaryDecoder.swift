/// Decodes `Decodable` values from the bytes `BinaryEncoder` writes.
///
/// Decoding is safe on any input: truncated, corrupt or hostile bytes make `decode` throw a
/// `CodecError`. They never trap; they never make the decoder allocate for a length or a
/// count the bytes do not contain (every length is checked against the remaining bytes
/// first, element counts are counted, not trusted); and `init(from:)` calls never nest more
/// than `maxDepth` levels. The whole input must be one value (`CodecError.trailingBytes`
/// otherwise). The byte layout is described on `BinaryFormat` in `BinaryFormat.swift`.
///
/// Bytes are read in place: decoding from an `UnsafeRawBufferPointer` (a slot of a shared
/// ring, say) copies nothing but the decoded strings and arrays.
///
/// ```swift
/// let bytes = try BinaryEncoder().encode(["a": [1, 2], "b": []])
/// let table = try BinaryDecoder().decode([String: [Int]].self, from: bytes)
/// ```
public struct BinaryDecoder: Sendable {
    /// How deeply `init(from:)` calls may nest before decoding throws `CodecError.tooDeep`.
    public var maxDepth: Int

    /// Values handed to every `init(from:)` through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder.
    public init(maxDepth: Int = BinaryEncoder.defaultMaxDepth, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.maxDepth = maxDepth
        self.userInfo = userInfo
    }

    /// Decodes a `T` from `buffer`, which must hold exactly one encoded value.
    public func decode<T: Decodable>(_ type: T.Type, from buffer: UnsafeRawBufferPointer) throws -> T {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { throw CodecError.truncated(offset: 0) }
        let input = BinaryInput(base: base, count: buffer.count)
        let end = try input.valueEnd(at: 0, end: buffer.count)
        guard end == buffer.count else { throw CodecError.trailingBytes(count: buffer.count - end) }
        if BinaryInput.isPrimitive(T.self) { return try input.readPrimitive(T.self, at: 0, end: end) }
        let state = BinaryDecodingState(input: input, maxDepth: maxDepth, userInfo: userInfo)
        defer { state.close() }
        return try state.decodeValue(T.self, at: 0, end: end)
    }

    /// Decodes a `T` from `bytes`, which must hold exactly one encoded value.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try bytes.withUnsafeBytes { try decode(T.self, from: $0) }
    }

    /// Decodes a `T` from `bytes`, which must hold exactly one encoded value; contiguous
    /// collections (`[UInt8]`, `ArraySlice<UInt8>`, …) are read in place.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        if let result = try bytes.withContiguousStorageIfAvailable({ try decode(T.self, from: UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return try Array(bytes).withUnsafeBytes { try decode(T.self, from: $0) }
    }
}
