/// Reads the one value of a single-value container.
struct BinarySingleValueDecodingContainer: SingleValueDecodingContainer {
    let state: BinaryDecodingState
    let start: Int
    let end: Int

    var codingPath: [any CodingKey] { state.codingPath(to: start) }

    func decodeNil() -> Bool {
        (try? state.head(at: start, end: end))?.isNil ?? false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try state.decodeValue(Bool.self, at: start, end: end) }
    func decode(_ type: String.Type) throws -> String { try state.decodeValue(String.self, at: start, end: end) }
    func decode(_ type: Double.Type) throws -> Double { try state.decodeValue(Double.self, at: start, end: end) }
    func decode(_ type: Float.Type) throws -> Float { try state.decodeValue(Float.self, at: start, end: end) }
    func decode(_ type: Int.Type) throws -> Int { try state.decodeValue(Int.self, at: start, end: end) }
    func decode(_ type: Int8.Type) throws -> Int8 { try state.decodeValue(Int8.self, at: start, end: end) }
    func decode(_ type: Int16.Type) throws -> Int16 { try state.decodeValue(Int16.self, at: start, end: end) }
    func decode(_ type: Int32.Type) throws -> Int32 { try state.decodeValue(Int32.self, at: start, end: end) }
    func decode(_ type: Int64.Type) throws -> Int64 { try state.decodeValue(Int64.self, at: start, end: end) }
    func decode(_ type: UInt.Type) throws -> UInt { try state.decodeValue(UInt.self, at: start, end: end) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try state.decodeValue(UInt8.self, at: start, end: end) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try state.decodeValue(UInt16.self, at: start, end: end) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try state.decodeValue(UInt32.self, at: start, end: end) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try state.decodeValue(UInt64.self, at: start, end: end) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try state.decodeValue(T.self, at: start, end: end)
    }
}
