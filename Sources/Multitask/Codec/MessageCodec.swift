/// Turns values into messages and back, choosing once per element type between raw bytes
/// and the binary `Codable` format.
///
/// A `BitwiseCodable` element (the integers, `Float`, `Double`, and structs that opt in) is
/// copied as its raw bytes: no `encode(to:)`, no allocation per message. Any other element
/// goes through `BinaryEncoder` / `BinaryDecoder`. `Bool`, enums and other types with invalid
/// bit patterns always take the `Codable` path, so hostile bytes can never produce an invalid
/// value. Both ends must use the same element type, as a `Queue<Element>` guarantees.
///
/// Decoding never traps: a raw message of the wrong size and every defect of a `Codable`
/// message throw `CodecError`.
///
/// ```swift
/// let codec = MessageCodec<Int>()            // codec.isRaw == true
/// let size = try codec.encode(42, into: slot)! // 8 bytes, no allocation
/// let value = try codec.decode(from: UnsafeRawBufferPointer(rebasing: slot[..<size]))
/// ```
///
/// The raw path is `@inlinable`, so a `Queue<Int>` specialized in the caller's module copies
/// its eight bytes without a generic call.
public struct MessageCodec<Element: Codable & Sendable>: Sendable {
    /// The size of every message when elements travel as raw bytes; nil for `Codable` messages.
    public let rawSize: Int?
    /// Encodes elements that are not `BitwiseCodable`.
    public let encoder: BinaryEncoder
    /// Decodes elements that are not `BitwiseCodable`.
    public let decoder: BinaryDecoder

    /// Whether elements travel as raw bytes.
    @inlinable
    public var isRaw: Bool { rawSize != nil }

    /// Creates a codec; `encoder` and `decoder` serve elements that are not `BitwiseCodable`.
    @inlinable
    public init(encoder: BinaryEncoder = BinaryEncoder(), decoder: BinaryDecoder = BinaryDecoder()) {
        let raw = RawBytesRule.applies(to: Element.self)
        self.rawSize = raw ? MemoryLayout<Element>.size : nil
        self.encoder = encoder
        self.decoder = decoder
    }

    /// Encodes `value` into the front of `buffer` and returns the number of bytes written, or
    /// nil when the message does not fit (nothing useful is left in `buffer` then; use
    /// `withEncodedBytes(of:_:)` for messages of any size). A `Codable` message is encoded
    /// into a temporary array first, since its size is unknown until then.
    @inlinable
    public func encode(_ value: Element, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        if let rawSize {
            guard rawSize <= buffer.count else { return nil }
            if rawSize > 0 { withUnsafeBytes(of: value) { buffer.copyMemory(from: $0) } }
            return rawSize
        }
        let bytes = try encoder.encode(value)
        guard bytes.count <= buffer.count else { return nil }
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return bytes.count
    }

    /// Calls `body` with the message for `value`; the bytes are valid only inside `body`.
    @inlinable
    public func withEncodedBytes<Result>(of value: Element, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        if rawSize != nil { return try withUnsafeBytes(of: value, body) }
        return try encoder.encode(value).withUnsafeBytes(body)
    }

    /// Appends the message for `value` to `bytes`.
    @inlinable
    public func append(_ value: Element, to bytes: inout [UInt8]) throws {
        if rawSize != nil { return withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) } }
        try encoder.append(value, to: &bytes)
    }

    /// Decodes a message; throws `CodecError` when `buffer` is not a valid message.
    @inlinable
    public func decode(from buffer: UnsafeRawBufferPointer) throws -> Element {
        guard let rawSize else { return try decoder.decode(Element.self, from: buffer) }
        guard buffer.count == rawSize else {
            throw CodecError.invalid("a \(Element.self) message is \(rawSize) bytes, not \(buffer.count)", offset: 0)
        }
        return withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { result in
            // Invariant: Element is bitwise copyable and accepts every bit pattern (BitwiseCodable).
            let target = UnsafeMutableRawPointer(result.baseAddress!)
            if rawSize > 0 { target.copyMemory(from: buffer.baseAddress!, byteCount: rawSize) }
            return result.baseAddress!.move()
        }
    }

    /// Decodes a message held in `bytes`.
    @inlinable
    public func decode(from bytes: [UInt8]) throws -> Element {
        try bytes.withUnsafeBytes { try decode(from: $0) }
    }
}
