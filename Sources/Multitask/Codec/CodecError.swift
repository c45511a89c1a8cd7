/// Why `BinaryDecoder`, `BinaryEncoder` or `MessageCodec` refused a value.
///
/// Decoding throws one of these for every defect it finds in the bytes: truncated or hostile
/// input never traps and never makes the decoder allocate for a length the bytes do not hold.
/// `offset` is a byte position in the input; `path` names the value the way Swift code would
/// reach it (`orders[3].items.price`), `""` for the top-level value.
///
/// Errors thrown by a type's own `init(from:)` or `encode(to:)` (usually `DecodingError` or
/// `EncodingError`) pass through unchanged.
public enum CodecError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes end inside a value: a number, a length or a container reaches past the end.
    case truncated(offset: Int)
    /// The bytes are not a valid encoding: an unknown tag, an over-long number, malformed UTF-8,
    /// or a raw message of the wrong size.
    case invalid(String, offset: Int)
    /// The value at `path` holds a `found` where the type asked for an `expected`.
    case typeMismatch(expected: String, found: String, path: String)
    /// A keyed value lacks a key the type requires.
    case keyNotFound(key: String, path: String)
    /// A number does not fit the type asked for (300 as `UInt8`, a negative number as `UInt`).
    case numberOutOfRange(String, path: String)
    /// Values nest deeper than the coder's `maxDepth`: hostile input when decoding, a cyclic
    /// object graph or a very deep recursive value when encoding.
    case tooDeep(limit: Int)
    /// Bytes remain after the top-level value.
    case trailingBytes(count: Int)
    /// An `encode(to:)` used a container after its parent moved on, or encoded twice into one
    /// single-value container: the format is written front to back and cannot go back.
    case unsupported(String)

    public var description: String {
        switch self {
        case .truncated(let offset):
            "truncated input: a value reaches past the end (at byte \(offset))"
        case .invalid(let what, let offset):
            "invalid encoding at byte \(offset): \(what)"
        case .typeMismatch(let expected, let found, let path):
            "expected \(expected) but found \(found) at \(Self.describe(path))"
        case .keyNotFound(let key, let path):
            "key \"\(key)\" not found at \(Self.describe(path))"
        case .numberOutOfRange(let what, let path):
            "number out of range at \(Self.describe(path)): \(what)"
        case .tooDeep(let limit):
            "values nest deeper than the limit of \(limit)"
        case .trailingBytes(let count):
            "\(count) byte(s) remain after the value"
        case .unsupported(let what):
            "unsupported use of the encoder: \(what)"
        }
    }

    private static func describe(_ path: String) -> String {
        path.isEmpty ? "the top level" : path
    }
}
