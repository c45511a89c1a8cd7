/// The `Decoder` handed to `init(from:)`: the value at `start ..< end` of the input.
struct BinaryDecoderImpl: Decoder {
    let state: BinaryDecodingState
    let start: Int
    let end: Int

    var codingPath: [any CodingKey] { state.codingPath(to: start) }
    var userInfo: [CodingUserInfoKey: Any] { state.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try BinaryKeyedDecodingContainer<Key>(state: state, start: start, end: end))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try BinaryUnkeyedDecodingContainer(state: state, start: start, end: end)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BinarySingleValueDecodingContainer(state: state, start: start, end: end)
    }
}
