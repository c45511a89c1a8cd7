/// The types the binary coders handle themselves instead of calling their `Codable`
/// conformance: optionals (whose own conformance writes `.some(nil)` exactly like nil) and
/// arrays of primitives (a tenth of the cost of one `encode(to:)` per element). One
/// conformance check per value finds them. The bytes are the ones the `Codable` path writes,
/// apart from the `some` marker.
protocol BinaryDirectEncodable {
    /// Encodes `value`, which is a `Self`.
    static func encode<T>(_ value: T, into state: BinaryEncodingState) throws
}

/// The decoding side of `BinaryDirectEncodable`.
protocol BinaryDirectDecodable {
    /// Decodes a `Self`, returned as `T`, which is `Self`.
    static func decode<T>(as type: T.Type, from state: BinaryDecodingState, at start: Int, end: Int) throws -> T
}

extension Optional: BinaryDirectEncodable where Wrapped: Encodable {
    static func encode<T>(_ value: T, into state: BinaryEncodingState) throws {
        try state.encodeOptional(unsafeBitCast(value, to: Self.self))
    }
}

extension Optional: BinaryDirectDecodable where Wrapped: Decodable {
    static func decode<T>(as type: T.Type, from state: BinaryDecodingState, at start: Int, end: Int) throws -> T {
        unsafeBitCast(try state.decodeOptional(Wrapped.self, at: start, end: end), to: T.self)
    }
}

extension Array: BinaryDirectEncodable where Element: BinaryScalar {
    static func encode<T>(_ value: T, into state: BinaryEncodingState) throws {
        state.encodeScalars(unsafeBitCast(value, to: Self.self))
    }
}

extension Array: BinaryDirectDecodable where Element: BinaryScalar {
    static func decode<T>(as type: T.Type, from state: BinaryDecodingState, at start: Int, end: Int) throws -> T {
        unsafeBitCast(try state.input.decodeScalars(Element.self, at: start, end: end), to: T.self)
    }
}
