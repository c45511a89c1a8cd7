/// Decodes a `Decodable` value from the compact binary payload form (``PayloadNode``).
///
/// Truncated, random or mistyped input throws a `DecodingError`; nothing here traps.
struct PayloadDecoder {
    /// Decodes a `T` from `bytes`.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let node: PayloadNode
        do {
            node = try PayloadNode.parse(bytes)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: error.description))
        }
        return try decode(type, from: node)
    }

    /// Decodes a `T` from a parsed tree.
    static func decode<T: Decodable>(_ type: T.Type, from node: PayloadNode) throws -> T {
        try load(type, from: node, codingPath: [])
    }
}

private func mismatch(_ expected: Any.Type, _ node: PayloadNode, _ path: [any CodingKey]) -> DecodingError {
    DecodingError.typeMismatch(expected, .init(codingPath: path, debugDescription: "expected \(expected), found \(node)"))
}

private func integer<I: FixedWidthInteger>(_ type: I.Type, _ node: PayloadNode, _ path: [any CodingKey]) throws -> I {
    let value: I?
    switch node {
    case .int(let v): value = I(exactly: v)
    case .uint(let v): value = I(exactly: v)
    default: throw mismatch(type, node, path)
    }
    guard let value else {
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(node) does not fit in \(type)"))
    }
    return value
}

/// Reads a value from a node: primitives directly, everything else through `init(from:)`.
private func load<T: Decodable>(_ type: T.Type, from node: PayloadNode, codingPath: [any CodingKey]) throws -> T {
    let path = codingPath
    switch type {
    case is Bool.Type:
        guard case .bool(let v) = node else { throw mismatch(type, node, path) }
        return v as! T
    case is String.Type:
        guard case .string(let v) = node else { throw mismatch(type, node, path) }
        return v as! T
    case is Double.Type:
        switch node {
        case .double(let v): return v as! T
        case .float(let v): return Double(v) as! T
        default: throw mismatch(type, node, path)
        }
    case is Float.Type:
        guard case .float(let v) = node else { throw mismatch(type, node, path) }
        return v as! T
    case is Int.Type: return try integer(Int.self, node, path) as! T
    case is Int8.Type: return try integer(Int8.self, node, path) as! T
    case is Int16.Type: return try integer(Int16.self, node, path) as! T
    case is Int32.Type: return try integer(Int32.self, node, path) as! T
    case is Int64.Type: return try integer(Int64.self, node, path) as! T
    case is UInt.Type: return try integer(UInt.self, node, path) as! T
    case is UInt8.Type: return try integer(UInt8.self, node, path) as! T
    case is UInt16.Type: return try integer(UInt16.self, node, path) as! T
    case is UInt32.Type: return try integer(UInt32.self, node, path) as! T
    case is UInt64.Type: return try integer(UInt64.self, node, path) as! T
    default: return try T(from: Reader(node: node, codingPath: path))
    }
}

private struct Reader: Decoder {
    let node: PayloadNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .keyed(let pairs) = node else { throw mismatch([String: Any].self, node, codingPath) }
        return KeyedDecodingContainer(KeyedReader<Key>(pairs: pairs, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = node else { throw mismatch([Any].self, node, codingPath) }
        return UnkeyedReader(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleReader(node: node, codingPath: codingPath)
    }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let values: [String: PayloadNode]
    let codingPath: [any CodingKey]
    let allKeys: [Key]

    init(pairs: [(String, PayloadNode)], codingPath: [any CodingKey]) {
        values = Dictionary(pairs, uniquingKeysWith: { _, last in last })
        self.codingPath = codingPath
        allKeys = pairs.compactMap { Key(stringValue: $0.0) }
    }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    private func value(_ key: Key) throws -> PayloadNode {
        guard let node = values[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \(key.stringValue)"))
        }
        return node
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try load(type, from: value(key), codingPath: codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try Reader(node: value(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try Reader(node: value(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder {
        Reader(node: values["super"] ?? .null, codingPath: codingPath + [PayloadKey("super")])
    }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        Reader(node: values[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedReader: UnkeyedDecodingContainer {
    let items: [PayloadNode]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [PayloadNode], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next(_ type: Any.Type) throws -> (PayloadNode, [any CodingKey]) {
        let path = codingPath + [PayloadKey(index: currentIndex)]
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "unkeyed container is at end"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if items[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (node, path) = try next(type)
        return try load(type, from: node, codingPath: path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (node, path) = try next([String: Any].self)
        return try Reader(node: node, codingPath: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (node, path) = try next([Any].self)
        return try Reader(node: node, codingPath: path).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let (node, path) = try next(Any.self)
        return Reader(node: node, codingPath: path)
    }
}

private struct SingleReader: SingleValueDecodingContainer {
    let node: PayloadNode
    let codingPath: [any CodingKey]
    func decodeNil() -> Bool { node == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try load(type, from: node, codingPath: codingPath) }
}
