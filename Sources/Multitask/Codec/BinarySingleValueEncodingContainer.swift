/// Writes the one value of a single-value container.
struct BinarySingleValueEncodingContainer: SingleValueEncodingContainer {
    let state: BinaryEncodingState
    let slot: Int

    var codingPath: [any CodingKey] { state.codingPath(to: slot) }

    mutating func encodeNil() throws { try state.checkUnwritten(slot); state.writeNil() }
    mutating func encode(_ value: Bool) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: String) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Double) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Float) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Int) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Int8) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Int16) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Int32) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: Int64) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: UInt) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: UInt8) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: UInt16) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: UInt32) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }
    mutating func encode(_ value: UInt64) throws { try state.checkUnwritten(slot); try state.encodeValue(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try state.checkUnwritten(slot)
        try state.encodeValue(value)
    }
}
