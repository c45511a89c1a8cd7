/// Encodes `Encodable` values into Multitask's compact binary format.
///
/// The format (see `BinaryDecoder`) is a tagged, length-prefixed layout with variable-length
/// integers: a struct `{ id: 7, score: 1.5, name: "abcdefghij" }` takes 33 bytes against 40 for
/// JSON, and encoding it takes a fraction of `JSONEncoder`'s time. Keys are kept, so every
/// synthesized `Codable` conformance round-trips (enums with payloads, optionals left out by
/// `encodeIfPresent`, class hierarchies through `superEncoder()`), and
/// `Optional<Optional<Int>>.some(nil)` stays distinct from `nil`.
///
/// Encoding is one pass front to back over one growing buffer. An `encode(to:)` must therefore
/// finish with a nested container before writing to its parent again, as synthesized
/// conformances and nearly all hand-written ones do; writing to a container after its parent
/// moved on throws `CodecError.unsupported`.
///
/// ```swift
/// struct Order: Codable { var id: Int; var items: [String] }
/// let bytes = try BinaryEncoder().encode(Order(id: 7, items: ["tea"]))
/// let order = try BinaryDecoder().decode(Order.self, from: bytes)
/// ```
public struct BinaryEncoder: Sendable {
    /// How deeply `encode(to:)` calls may nest before encoding throws `CodecError.tooDeep`
    /// (a cyclic object graph would otherwise recurse until the stack overflows). The decoder
    /// enforces the same kind of limit, so keep the two equal.
    public var maxDepth: Int

    /// Values handed to every `encode(to:)` through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// The default nesting limit of encoders and decoders.
    public static let defaultMaxDepth = 256

    /// Creates an encoder.
    public init(maxDepth: Int = BinaryEncoder.defaultMaxDepth, userInfo: [CodingUserInfoKey: any Sendable] = [:]) {
        self.maxDepth = maxDepth
        self.userInfo = userInfo
    }

    /// Returns the encoding of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        try append(value, to: &bytes)
        return bytes
    }

    /// Appends the encoding of `value` to `bytes`, growing the caller's buffer in place.
    ///
    /// Reusing one buffer (`removeAll(keepingCapacity: true)` between messages) saves the
    /// allocation of a new array per message. When encoding throws, `bytes` is left as it was.
    public func append<T: Encodable>(_ value: T, to bytes: inout [UInt8]) throws {
        if BinaryFormat.appendPrimitive(value, to: &bytes) { return }
        let state = BinaryEncodingState(maxDepth: maxDepth, userInfo: userInfo)
        state.adopt(&bytes)
        do {
            try state.encodeValue(value)
            try state.finish()
        } catch {
            state.release(into: &bytes, keepingValue: false)
            throw error
        }
        state.release(into: &bytes, keepingValue: true)
    }
}
