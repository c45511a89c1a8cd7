/// Encodes the inputs and outputs of a `map` chunk: a `BitwiseCodable` element type travels as
/// the array's raw memory (one copy, no per-element call), any other through the binary
/// `Codable` format.
///
/// This is what lets a chunk of 1000 `Int`s cost one `memcpy` each way instead of 1000
/// `encode(to:)` calls. Make one per `map` (or per worker and type) and reuse it: deciding
/// between the two paths is a dynamic cast.
@usableFromInline
struct PoolArrayCodec<Element: Codable & Sendable>: Sendable {
    /// The size of one element when elements travel raw; nil for `Codable` elements (and for
    /// zero-size ones, whose count raw bytes could not tell).
    @usableFromInline let rawSize: Int?

    @inlinable
    init() {
        rawSize = MessageCodec<Element>().rawSize.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Appends `elements` to `bytes`.
    @inlinable
    func append(_ elements: ArraySlice<Element>, to bytes: inout [UInt8]) throws {
        if rawSize != nil {
            elements.withUnsafeBytes { bytes.append(contentsOf: $0) }
        } else {
            try BinaryEncoder().append(Array(elements), to: &bytes)
        }
    }

    /// Decodes an array written by ``append(_:to:)``.
    @inlinable
    func decode(from bytes: UnsafeRawBufferPointer) throws -> [Element] {
        guard let size = rawSize else { return try BinaryDecoder().decode([Element].self, from: bytes) }
        guard bytes.count % size == 0 else {
            throw CodecError.invalid("\(bytes.count) bytes are not a whole number of \(Element.self) values", offset: 0)
        }
        let count = bytes.count / size
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Invariant: Element is BitwiseCodable, so every bit pattern is a valid value.
            if count > 0 { UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(from: bytes.baseAddress!, byteCount: count * size) }
            initialized = count
        }
    }
}
