/// Encodes an `Encodable` value into the compact binary payload form (``PayloadNode``).
///
/// Used for the entry values of spawned and fork-server children. Internal: the inter-process
/// channels have their own codec.
struct PayloadEncoder {
    /// The bytes of `value`.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try node(of: value).serialized()
    }

    /// The tree of `value`.
    static func node<T: Encodable>(of value: T) throws -> PayloadNode {
        let root = Slot()
        try value.encode(to: Writer(slot: root, codingPath: []))
        return root.node
    }
}

/// A node under construction; containers hand out child slots and fill them later.
private final class Slot {
    enum Content { case empty, value(PayloadNode), array([Slot]), keyed([(String, Slot)]) }
    var content = Content.empty

    var node: PayloadNode {
        switch content {
        case .empty: .keyed([])
        case .value(let node): node
        case .array(let slots): .array(slots.map(\.node))
        case .keyed(let pairs): .keyed(pairs.map { ($0.0, $0.1.node) })
        }
    }

    func set(_ node: PayloadNode) { content = .value(node) }

    func appendArraySlot() -> Slot {
        let slot = Slot()
        if case .array(var slots) = content {
            content = .empty
            slots.append(slot)
            content = .array(slots)
        } else {
            content = .array([slot])
        }
        return slot
    }

    func keyedSlot(_ key: String) -> Slot {
        let slot = Slot()
        if case .keyed(var pairs) = content {
            content = .empty
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = slot } else { pairs.append((key, slot)) }
            content = .keyed(pairs)
        } else {
            content = .keyed([(key, slot)])
        }
        return slot
    }

    func becomeArray() { if case .array = content {} else { content = .array([]) } }
    func becomeKeyed() { if case .keyed = content {} else { content = .keyed([]) } }
}

private struct Writer: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.becomeKeyed()
        return KeyedEncodingContainer(KeyedWriter<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.becomeArray()
        return UnkeyedWriter(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleWriter(slot: slot, codingPath: codingPath)
    }
}

/// Puts a value into a slot: primitives directly, everything else through its `encode(to:)`.
private func store<T: Encodable>(_ value: T, in slot: Slot, codingPath: [any CodingKey]) throws {
    switch value {
    case let v as Bool: slot.set(.bool(v))
    case let v as String: slot.set(.string(v))
    case let v as Double: slot.set(.double(v))
    case let v as Float: slot.set(.float(v))
    case let v as Int: slot.set(.int(Int64(v)))
    case let v as Int8: slot.set(.int(Int64(v)))
    case let v as Int16: slot.set(.int(Int64(v)))
    case let v as Int32: slot.set(.int(Int64(v)))
    case let v as Int64: slot.set(.int(v))
    case let v as UInt: slot.set(.uint(UInt64(v)))
    case let v as UInt8: slot.set(.uint(UInt64(v)))
    case let v as UInt16: slot.set(.uint(UInt64(v)))
    case let v as UInt32: slot.set(.uint(UInt64(v)))
    case let v as UInt64: slot.set(.uint(v))
    default: try value.encode(to: Writer(slot: slot, codingPath: codingPath))
    }
}

private struct KeyedWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.keyedSlot(key.stringValue).set(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try store(value, in: slot.keyedSlot(key.stringValue), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = slot.keyedSlot(key.stringValue)
        child.becomeKeyed()
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = slot.keyedSlot(key.stringValue)
        child.becomeArray()
        return UnkeyedWriter(slot: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder {
        Writer(slot: slot.keyedSlot("super"), codingPath: codingPath + [PayloadKey("super")])
    }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        Writer(slot: slot.keyedSlot(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedWriter: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let slots) = slot.content { return slots.count }
        return 0
    }

    mutating func encodeNil() throws { slot.appendArraySlot().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = PayloadKey(index: count)
        try store(value, in: slot.appendArraySlot(), codingPath: codingPath + [key])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = PayloadKey(index: count)
        let child = slot.appendArraySlot()
        child.becomeKeyed()
        return KeyedEncodingContainer(KeyedWriter<NestedKey>(slot: child, codingPath: codingPath + [key]))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = PayloadKey(index: count)
        let child = slot.appendArraySlot()
        child.becomeArray()
        return UnkeyedWriter(slot: child, codingPath: codingPath + [key])
    }
    mutating func superEncoder() -> any Encoder {
        let key = PayloadKey(index: count)
        return Writer(slot: slot.appendArraySlot(), codingPath: codingPath + [key])
    }
}

private struct SingleWriter: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    mutating func encodeNil() throws { slot.set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try store(value, in: slot, codingPath: codingPath) }
}

/// A coding key built at run time (array positions, `super`).
struct PayloadKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.init(index: intValue) }
    init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
}
