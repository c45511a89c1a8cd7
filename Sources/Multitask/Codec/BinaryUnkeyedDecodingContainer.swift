/// Reads the elements of one unkeyed container, front to back.
struct BinaryUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let state: BinaryDecodingState
    let start: Int
    let body: Range<Int>
    /// The start of the next element.
    private var position: Int
    private(set) var currentIndex = 0

    init(state: BinaryDecodingState, start: Int, end: Int) throws(CodecError) {
        self.state = state
        self.start = start
        self.body = try state.body(of: BinaryFormat.unkeyed, at: start, end: end)
        self.position = body.lowerBound
    }

    var codingPath: [any CodingKey] { state.codingPath(to: start) }

    /// Counted by skipping the elements, so the number can never exceed what the bytes hold.
    var count: Int? {
        var n = 0, p = body.lowerBound
        while p < body.upperBound {
            guard let next = try? state.valueEnd(at: p, end: body.upperBound) else { return nil }
            p = next
            n += 1
        }
        return n
    }

    var isAtEnd: Bool { position >= body.upperBound }

    /// The next element's range; throws at the end of the container.
    private func next() throws(CodecError) -> Range<Int> {
        guard position < body.upperBound else {
            throw .keyNotFound(key: "[\(currentIndex)]", path: state.path(to: start))
        }
        return position ..< (try state.valueEnd(at: position, end: body.upperBound))
    }

    private mutating func decodeNext<T: Decodable>(_ type: T.Type) throws -> T {
        let range = try next()
        let value = try state.decodeValue(T.self, at: range.lowerBound, end: range.upperBound)
        position = range.upperBound
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        let range = try next()
        guard try state.head(at: range.lowerBound, end: range.upperBound).isNil else { return false }
        position = range.upperBound
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeNext(Bool.self) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeNext(String.self) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeNext(Double.self) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeNext(Float.self) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeNext(Int.self) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeNext(Int8.self) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeNext(Int16.self) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeNext(Int32.self) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeNext(Int64.self) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeNext(UInt.self) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeNext(UInt8.self) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeNext(UInt16.self) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeNext(UInt32.self) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeNext(UInt64.self) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try decodeNext(T.self)
    }

    // At the end nil, as the standard library's default does; otherwise read as an optional,
    // so `.some(nil)` survives.
    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        if isAtEnd { return nil }
        let range = try next()
        let value = try state.decodeOptional(T.self, at: range.lowerBound, end: range.upperBound)
        position = range.upperBound
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let range = try next()
        let container = try BinaryKeyedDecodingContainer<NestedKey>(state: state, start: range.lowerBound, end: range.upperBound)
        position = range.upperBound
        currentIndex += 1
        return KeyedDecodingContainer(container)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let range = try next()
        let container = try BinaryUnkeyedDecodingContainer(state: state, start: range.lowerBound, end: range.upperBound)
        position = range.upperBound
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let range = try next()
        position = range.upperBound
        currentIndex += 1
        return BinaryDecoderImpl(state: state, start: range.lowerBound, end: range.upperBound)
    }
}
