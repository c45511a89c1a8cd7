/// Writes the elements of one unkeyed container.
struct BinaryUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let state: BinaryEncodingState
    /// The container's head position; -1 after a misuse, so every call throws.
    let start: Int
    private(set) var count = 0

    init(state: BinaryEncodingState, start: Int) {
        self.state = state
        self.start = start
    }

    var codingPath: [any CodingKey] { state.codingPath(to: start) }

    @inline(__always)
    private mutating func begin() throws(CodecError) {
        try state.enter(start, .unkeyed)
        count += 1
    }

    mutating func encodeNil() throws { try begin(); state.writeNil() }
    mutating func encode(_ value: Bool) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: String) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Double) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Float) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Int) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Int8) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Int16) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Int32) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: Int64) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: UInt) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: UInt8) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: UInt16) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: UInt32) throws { try begin(); try state.encodeValue(value) }
    mutating func encode(_ value: UInt64) throws { try begin(); try state.encodeValue(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try state.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(BinaryKeyedEncodingContainer<NestedKey>(state: state, start: open(.keyed)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncodingContainer(state: state, start: open(.unkeyed))
    }

    mutating func superEncoder() -> any Encoder {
        BinaryEncoderImpl(state: state, slot: open(.slot))
    }

    private mutating func open(_ kind: BinaryEncodingState.Kind) -> Int {
        do { try begin() } catch {
            state.fail(error)
            return -1
        }
        return state.open(kind)
    }
}
