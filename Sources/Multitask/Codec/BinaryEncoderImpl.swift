/// The `Encoder` handed to `encode(to:)`: the value at one position of the output.
struct BinaryEncoderImpl: Encoder {
    let state: BinaryEncodingState
    /// Where the value goes in `state.out`; -1 after a misuse.
    let slot: Int

    var codingPath: [any CodingKey] { state.codingPath(to: slot) }
    var userInfo: [CodingUserInfoKey: Any] { state.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(BinaryKeyedEncodingContainer<Key>(state: state, start: state.container(.keyed, at: slot) ?? -1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncodingContainer(state: state, start: state.container(.unkeyed, at: slot) ?? -1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySingleValueEncodingContainer(state: state, slot: slot)
    }
}
