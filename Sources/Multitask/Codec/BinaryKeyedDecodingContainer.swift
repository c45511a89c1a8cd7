/// Reads key, value pairs from one keyed container.
///
/// Lookups resume where the previous one (at the same depth) ended, so keys read in the order
/// they were written cost one comparison each; any other order, or an absent key, scans the
/// container once, skipping values in O(1).
struct BinaryKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let state: BinaryDecodingState
    let start: Int
    let body: Range<Int>
    /// The nesting depth this container was made at, the slot of its lookup hint.
    let depth: Int

    init(state: BinaryDecodingState, start: Int, end: Int) throws(CodecError) {
        self.state = state
        self.start = start
        self.body = try state.body(of: BinaryFormat.keyed, at: start, end: end)
        self.depth = state.depth
    }

    var codingPath: [any CodingKey] { state.codingPath(to: start) }

    var allKeys: [Key] {
        var keys: [Key] = []
        var p = body.lowerBound
        while p < body.upperBound {
            guard (try? state.head(at: p, end: body.upperBound)) != nil,
                  let (component, valueStart) = CodecPath.keyComponent(at: p, end: body.upperBound, in: state.base),
                  let valueEnd = try? state.valueEnd(at: valueStart, end: body.upperBound)
            else { break }
            switch component {
            case .key(let name): if let key = Key(stringValue: name) { keys.append(key) }
            case .intKey(let int): if let key = Key(intValue: int) ?? Key(stringValue: String(int)) { keys.append(key) }
            case .index: break
            }
            p = valueEnd
        }
        return keys
    }

    func contains(_ key: Key) -> Bool {
        ((try? find(key)) ?? nil) != nil
    }

    /// Where the value stored under `key` lies, or nil when the key is absent.
    private func find<K: CodingKey>(_ key: K) throws(CodecError) -> Range<Int>? {
        let resume = state.resumePosition(depth: depth, body: body.lowerBound)
        let intKey = key.intValue
        var name: String?
        var p = resume, stop = body.upperBound, wrapped = resume == body.lowerBound
        while true {
            if p >= stop {
                // Wrap around once, to look at the keys before where this lookup started.
                if wrapped { return nil }
                wrapped = true
                p = body.lowerBound
                stop = resume
                continue
            }
            let k = try state.head(at: p, end: body.upperBound)
            let valueStart: Int
            let matches: Bool
            switch k.major {
            case BinaryFormat.unsigned:
                valueStart = k.next
                matches = intKey.map { $0 >= 0 && k.argument == UInt64($0) } ?? false
            case BinaryFormat.negative:
                valueStart = k.next
                matches = intKey.map { $0 < 0 && k.argument == UInt64(-1 - $0) } ?? false
            case BinaryFormat.string:
                valueStart = try BinaryFormat.payloadEnd(k, end: body.upperBound)
                if name == nil { name = key.stringValue }
                matches = Self.equal(&name!, state.base + k.next, count: valueStart - k.next)
            default:
                throw .invalid("a key must be a string or an integer, found \(BinaryFormat.kindName(k))", offset: p)
            }
            let valueEnd = try state.valueEnd(at: valueStart, end: body.upperBound)
            if matches {
                state.rememberPosition(depth: depth, body: body.lowerBound, next: valueEnd)
                return valueStart ..< valueEnd
            }
            p = valueEnd
        }
    }

    private static func equal(_ name: inout String, _ bytes: UnsafeRawPointer, count: Int) -> Bool {
        name.withUTF8 { utf8 in
            guard utf8.count == count else { return false }
            for i in 0..<count where utf8[i] != bytes.load(fromByteOffset: i, as: UInt8.self) { return false }
            return true
        }
    }

    /// The value stored under `key`; throws when it is absent.
    private func value<K: CodingKey>(_ key: K) throws(CodecError) -> Range<Int> {
        guard let range = try find(key) else {
            throw .keyNotFound(key: key.stringValue, path: state.path(to: start))
        }
        return range
    }

    private func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let range = try value(key)
        return try state.decodeValue(T.self, at: range.lowerBound, end: range.upperBound)
    }

    // An absent key is nil; a present one is read as an optional, so `.some(nil)` survives.
    private func decodeValueIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let range = try find(key) else { return nil }
        return try state.decodeOptional(T.self, at: range.lowerBound, end: range.upperBound)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        let range = try value(key)
        return try state.head(at: range.lowerBound, end: range.upperBound).isNil
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeValue(Bool.self, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeValue(String.self, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeValue(Double.self, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeValue(Float.self, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeValue(Int.self, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeValue(Int8.self, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeValue(Int16.self, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(Int32.self, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(Int64.self, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeValue(UInt.self, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeValue(UInt8.self, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeValue(UInt16.self, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeValue(UInt32.self, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(UInt64.self, forKey: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeValueIfPresent(Bool.self, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeValueIfPresent(String.self, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeValueIfPresent(Double.self, forKey: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeValueIfPresent(Float.self, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeValueIfPresent(Int.self, forKey: key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try decodeValueIfPresent(Int8.self, forKey: key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try decodeValueIfPresent(Int16.self, forKey: key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try decodeValueIfPresent(Int32.self, forKey: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeValueIfPresent(Int64.self, forKey: key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try decodeValueIfPresent(UInt.self, forKey: key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try decodeValueIfPresent(UInt8.self, forKey: key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try decodeValueIfPresent(UInt16.self, forKey: key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try decodeValueIfPresent(UInt32.self, forKey: key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try decodeValueIfPresent(UInt64.self, forKey: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(T.self, forKey: key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try decodeValueIfPresent(T.self, forKey: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let range = try value(key)
        return KeyedDecodingContainer(try BinaryKeyedDecodingContainer<NestedKey>(
            state: state, start: range.lowerBound, end: range.upperBound))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let range = try value(key)
        return try BinaryUnkeyedDecodingContainer(state: state, start: range.lowerBound, end: range.upperBound)
    }

    func superDecoder() throws -> any Decoder {
        let range = try value(CodecKey.super)
        return BinaryDecoderImpl(state: state, start: range.lowerBound, end: range.upperBound)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        let range = try value(key)
        return BinaryDecoderImpl(state: state, start: range.lowerBound, end: range.upperBound)
    }
}
