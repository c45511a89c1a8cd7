/// Writes key, value pairs into one keyed container.
struct BinaryKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: BinaryEncodingState
    /// The container's head position; -1 after a misuse, so every call throws.
    let start: Int

    var codingPath: [any CodingKey] { state.codingPath(to: start) }

    @inline(__always)
    private func begin<K: CodingKey>(_ key: K) throws(CodecError) {
        try state.enter(start, .keyed)
        state.writeKey(key)
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); state.writeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key); try state.encodeValue(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try state.encodeValue(value)
    }

    // Keeps the value optional, so a present `.some(nil)` is written distinct from nil.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        guard case .some = value else { return }
        try begin(key)
        try state.encodeOptional(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(BinaryKeyedEncodingContainer<NestedKey>(state: state, start: open(.keyed, key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncodingContainer(state: state, start: open(.unkeyed, key))
    }

    mutating func superEncoder() -> any Encoder {
        BinaryEncoderImpl(state: state, slot: open(.slot, CodecKey.super))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        BinaryEncoderImpl(state: state, slot: open(.slot, key))
    }

    private func open<K: CodingKey>(_ kind: BinaryEncodingState.Kind, _ key: K) -> Int {
        do { try begin(key) } catch {
            state.fail(error)
            return -1
        }
        return state.open(kind)
    }
}
