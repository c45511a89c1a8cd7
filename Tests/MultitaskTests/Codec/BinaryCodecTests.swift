import Testing
@testable import Multitask

@Suite("Binary codec round trips")
struct BinaryCodecTests {
    @Test("a small struct round-trips in fewer bytes than JSON")
    func smallStruct() throws {
        let value = Small(id: 7, score: 1.5, name: "abcdefghij")
        let bytes = try BinaryEncoder().encode(value)
        #expect(try BinaryDecoder().decode(Small.self, from: bytes) == value)
        // {"id":7,"score":1.5,"name":"abcdefghij"} is 40 bytes.
        #expect(bytes.count == 33)
    }

    @Test("a struct with every kind of field round-trips")
    func everything() throws {
        #expect(try roundTrip(Everything()) == Everything())
        var other = Everything()
        other.absent = "here"
        other.present = nil
        other.doubleOptional = .some(.some(9))
        other.table = [:]
        other.numbered = [:]
        other.bytes = []
        #expect(try roundTrip(other) == other)
        other.doubleOptional = .none
        #expect(try roundTrip(other) == other)
    }

    @Test("strings: empty, ASCII, non-ASCII, embedded NUL, long")
    func strings() throws {
        for text in ["", "a", "hello world", "grüße", "日本語のテキスト", "👩‍👩‍👧‍👦 family", "nul\0inside",
                     String(repeating: "x", count: 30), String(repeating: "é", count: 1000)] {
            #expect(try roundTrip(text) == text)
            #expect(try roundTrip([text, text]) == [text, text])
        }
    }

    @Test("arrays and nested arrays, empty and not")
    func arrays() throws {
        #expect(try roundTrip([Int]()) == [])
        #expect(try roundTrip([1, -1, 0, .max, .min]) == [1, -1, 0, .max, .min])
        #expect(try roundTrip([[Int]]()) == [])
        #expect(try roundTrip([[1, 2], [], [3]]) == [[1, 2], [], [3]])
        let deep: [[[String]]] = [[["a"], []], [], [["b", "c", ""]]]
        #expect(try roundTrip(deep) == deep)
        #expect(try roundTrip([[Small(id: 1, score: 2, name: "3")]]) == [[Small(id: 1, score: 2, name: "3")]])
    }

    @Test("dictionaries with String, Int and other keys")
    func dictionaries() throws {
        let strings: [String: Int] = ["one": 1, "zwei": 2, "": 0, "ü": -4]
        #expect(try roundTrip(strings) == strings)
        let ints: [Int: String] = [.min: "min", -1: "m", 0: "z", 7: "s", .max: "max"]
        #expect(try roundTrip(ints) == ints)
        let nested: [String: [Int: [String]]] = ["a": [1: ["x"], 2: []], "b": [:]]
        #expect(try roundTrip(nested) == nested)
        // Double keys are neither String nor Int: the stdlib writes alternating key, value pairs.
        let doubles: [Double: Int] = [1.5: 1, -2: 2]
        #expect(try roundTrip(doubles) == doubles)
        #expect(try roundTrip([String: Int]()) == [:])
        // Int keys are stored as numbers, not strings.
        let bytes = try BinaryEncoder().encode([300: true])
        #expect(bytes == [0xA0 | 4, 0x1F, 0xAC, 0x02, BinaryFormat.trueByte])
    }

    @Test("optionals: nil vs present, nested Optional<Optional<Int>>, in every container")
    func optionals() throws {
        let cases: [Int??] = [.none, .some(.none), .some(.some(0)), .some(.some(-5))]
        for value in cases {
            #expect(try roundTrip(value) == value)
            #expect(try roundTrip([value, value]) == [value, value])
            #expect(try roundTrip(["k": value]) == ["k": value])
        }
        let triple: [Int???] = [.none, .some(.none), .some(.some(.none)), .some(.some(.some(3)))]
        #expect(try roundTrip(triple) == triple)
        let strings: [String?] = [nil, "", "x"]
        #expect(try roundTrip(strings) == strings)

        struct Fields: Codable, Equatable { var a: Int?; var b: Int??; var c: [Int?]? }
        for fields in [Fields(a: nil, b: nil, c: nil), Fields(a: 1, b: .some(nil), c: [nil, 2]),
                       Fields(a: nil, b: .some(.some(3)), c: [])] {
            #expect(try roundTrip(fields) == fields)
        }
        // Absent optional fields take no bytes at all.
        #expect(try BinaryEncoder().encode(Fields(a: nil, b: nil, c: nil)) == [BinaryFormat.emptyKeyedByte])
    }

    @Test("enums with payloads, labelled and not, recursive")
    func enums() throws {
        let shapes: [Shape] = [
            .circle(radius: 2.5), .rect(1, -1), .empty,
            .labeled(name: "box", inner: .rect(3, 4)), .labeled(name: "none", inner: nil),
            .labeled(name: "deep", inner: .labeled(name: "deeper", inner: .empty)),
        ]
        for shape in shapes { #expect(try roundTrip(shape) == shape) }
        #expect(try roundTrip(shapes) == shapes)

        enum Raw: String, Codable { case alpha, beta }
        enum Numbered: Int, Codable { case one = 1, two = 2 }
        #expect(try roundTrip([Raw.alpha, .beta]) == [.alpha, .beta])
        #expect(try roundTrip([Numbered.two, .one]) == [.two, .one])
    }

    @Test("classes encode their superclass through superEncoder() or a shared encoder")
    func classes() throws {
        let dog = Dog(name: "Rex", breed: "collie")
        let back = try roundTrip(dog)
        #expect(back == dog)
        let cat = Cat(name: "Tom", lives: 9)
        #expect(try roundTrip(cat) == cat)
        #expect(try roundTrip([dog, dog]) == [dog, dog])
    }

    @Test("every integer width at its extremes; out-of-range numbers throw")
    func integers() throws {
        #expect(try roundTrip([Int8.min, -1, 0, 1, .max]) == [Int8.min, -1, 0, 1, .max])
        #expect(try roundTrip([Int16.min, -1, 0, .max]) == [Int16.min, -1, 0, .max])
        #expect(try roundTrip([Int32.min, -1, 0, .max]) == [Int32.min, -1, 0, .max])
        #expect(try roundTrip([Int64.min, -1, 0, .max]) == [Int64.min, -1, 0, .max])
        #expect(try roundTrip([Int.min, -31, -30, 30, 31, .max]) == [Int.min, -31, -30, 30, 31, .max])
        #expect(try roundTrip([UInt8.min, 30, 31, .max]) == [UInt8.min, 30, 31, .max])
        #expect(try roundTrip([UInt16.min, .max]) == [UInt16.min, .max])
        #expect(try roundTrip([UInt32.min, .max]) == [UInt32.min, .max])
        #expect(try roundTrip([UInt64.min, .max]) == [UInt64.min, .max])
        #expect(try roundTrip([UInt.min, .max]) == [UInt.min, .max])
        for shift in 0..<64 {
            let value = UInt64(1) << shift
            #expect(try roundTrip(value) == value)
            #expect(try roundTrip(value &- 1) == value &- 1)
            #expect(try roundTrip(-Int64(bitPattern: value >> 1)) == -Int64(bitPattern: value >> 1))
        }
        // Small numbers take one byte.
        #expect(try BinaryEncoder().encode(30).count == 1)
        #expect(try BinaryEncoder().encode(-30).count == 1)

        let decoder = BinaryDecoder()
        #expect(throws: CodecError.self) { try decoder.decode(UInt8.self, from: BinaryEncoder().encode(300)) }
        #expect(throws: CodecError.self) { try decoder.decode(UInt.self, from: BinaryEncoder().encode(-1)) }
        #expect(throws: CodecError.self) { try decoder.decode(Int64.self, from: BinaryEncoder().encode(UInt64.max)) }
        #expect(throws: CodecError.self) { try decoder.decode(Int8.self, from: BinaryEncoder().encode(-129)) }
    }

    @Test("floats: NaN payloads, infinities, signed zero, subnormals keep their bits")
    func floats() throws {
        let doubles: [Double] = [0, -0.0, 1.5, .pi, -.infinity, .infinity, .nan, -.nan,
                                 Double(bitPattern: 0x7FF4_0000_0000_0001), .leastNonzeroMagnitude,
                                 .greatestFiniteMagnitude, 0.1, 1e300]
        let back = try roundTrip(doubles)
        #expect(back.map(\.bitPattern) == doubles.map(\.bitPattern))
        let floats: [Float] = [0, -0.0, 0.1, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        #expect(try roundTrip(floats).map(\.bitPattern) == floats.map(\.bitPattern))
        // A Double a Float holds exactly takes 5 bytes, others 9.
        #expect(try BinaryEncoder().encode(1.5).count == 5)
        #expect(try BinaryEncoder().encode(0.1).count == 9)
        // A Double beyond Float's range does not silently become infinity.
        #expect(throws: CodecError.self) { try BinaryDecoder().decode(Float.self, from: BinaryEncoder().encode(1e300)) }
    }

    @Test("large payloads: 1 MiB of bytes, a 1 MiB string, 100k numbers")
    func large() throws {
        var generator = SplitMix64(state: 1)
        let bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = try BinaryEncoder().encode(bytes)
        #expect(encoded.count <= bytes.count + 5)
        #expect(try BinaryDecoder().decode([UInt8].self, from: encoded) == bytes)
        let text = String(repeating: "0123456789abcdef", count: 1 << 16)
        #expect(try roundTrip(text) == text)
        let numbers = (0..<100_000).map { $0 * 7_919 - 300_000 }
        #expect(try roundTrip(numbers) == numbers)
        let nested = (0..<1000).map { i in Small(id: i, score: Double(i) / 3, name: String(i)) }
        #expect(try roundTrip(["all": nested]) == ["all": nested])
    }

    @Test("[UInt8] written as an unkeyed container of numbers still decodes")
    func bytesFromUnkeyed() throws {
        let numbers: [UInt16] = [1, 2, 255]
        let bytes = try BinaryEncoder().encode(numbers)
        #expect(try BinaryDecoder().decode([UInt8].self, from: bytes) == [1, 2, 255])
    }

    @Test("append(to:) adds to existing bytes and restores them when encoding throws")
    func appendTo() throws {
        var buffer: [UInt8] = [9, 9]
        try BinaryEncoder().append(5, to: &buffer)
        try BinaryEncoder().append("x", to: &buffer)
        #expect(buffer == [9, 9, 5, 0x41, 0x78])
        #expect(try BinaryDecoder().decode(String.self, from: buffer[3...]) == "x")
        #expect(throws: CodecError.self) { try BinaryEncoder(maxDepth: 3).append(Russian.nested(10), to: &buffer) }
        #expect(buffer == [9, 9, 5, 0x41, 0x78])
    }

    @Test("errors name the path of the bad value")
    func errorPaths() throws {
        struct Other: Codable { var id: Int; var score: Double; var name: Int }
        let bytes = try BinaryEncoder().encode(["list": [Other(id: 1, score: 1, name: 1), Other(id: 2, score: 2, name: 2)]])
        do {
            _ = try BinaryDecoder().decode([String: [Small]].self, from: bytes)
            Issue.record("decoding should fail")
        } catch let error as CodecError {
            #expect(error == .typeMismatch(expected: "String", found: "an integer", path: "list[0].name"))
        }
        struct Missing: Codable { var id: Int }
        do {
            _ = try BinaryDecoder().decode(Small.self, from: BinaryEncoder().encode(Missing(id: 1)))
            Issue.record("decoding should fail")
        } catch let error as CodecError {
            #expect(error == .keyNotFound(key: "score", path: ""))
        }
    }

    @Test("codingPath is rebuilt for custom coders")
    func codingPaths() throws {
        struct Spy: Codable {
            var path = ""
            init() {}
            init(from decoder: any Decoder) throws {
                path = decoder.codingPath.map(\.stringValue).joined(separator: "/")
                _ = try decoder.singleValueContainer().decode(Int.self)
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(encoder.codingPath.count)
            }
        }
        let value: [String: [Spy]] = ["k": [Spy(), Spy()]]
        let back = try roundTrip(value)
        #expect(back["k"]?.map(\.path) == ["k/Index 0", "k/Index 1"])
        // The encoder saw two keys on the path of each Spy.
        let encoded = try BinaryEncoder().encode(value)
        #expect(try BinaryDecoder().decode([String: [Int]].self, from: encoded) == ["k": [2, 2]])
    }

    @Test("keys decoded out of order, and unknown keys, are found by scanning")
    func keyOrder() throws {
        struct Forward: Codable { var a: Int; var b: String; var c: [Int]; var extra: Bool }
        struct Backward: Codable, Equatable {
            var a: Int, b: String, c: [Int]
            enum CodingKeys: CodingKey { case a, b, c }
            init(a: Int, b: String, c: [Int]) { (self.a, self.b, self.c) = (a, b, c) }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                c = try container.decode([Int].self, forKey: .c)
                a = try container.decode(Int.self, forKey: .a)
                b = try container.decode(String.self, forKey: .b)
                #expect(container.contains(.b))
                #expect(container.allKeys.count == 3)
            }
        }
        let bytes = try BinaryEncoder().encode(Forward(a: 1, b: "two", c: [3], extra: true))
        #expect(try BinaryDecoder().decode(Backward.self, from: bytes) == Backward(a: 1, b: "two", c: [3]))
    }

    @Test("an encode(to:) that writes to a container after its parent moved on throws")
    func misuse() throws {
        struct Late: Encodable {
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.unkeyedContainer()
                var inner = outer.nestedUnkeyedContainer()
                try outer.encode(1)
                try inner.encode(2)
            }
        }
        #expect(throws: CodecError.self) { try BinaryEncoder().encode(Late()) }
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode(2)
            }
        }
        #expect(throws: CodecError.self) { try BinaryEncoder().encode(Twice()) }
        struct Empty: Codable, Equatable {}
        #expect(try roundTrip(Empty()) == Empty())
        #expect(try roundTrip([Empty(), Empty()]) == [Empty(), Empty()])
    }

    @Test("nesting deeper than maxDepth throws on both sides; within it round-trips")
    func depth() throws {
        #expect(try roundTrip(Russian.nested(100)) == Russian.nested(100))
        #expect(throws: CodecError.tooDeep(limit: 50)) { try BinaryEncoder(maxDepth: 50).encode(Russian.nested(60)) }
        let bytes = try BinaryEncoder().encode(Russian.nested(60))
        #expect(throws: CodecError.tooDeep(limit: 50)) { try BinaryDecoder(maxDepth: 50).decode(Russian.self, from: bytes) }
    }
}

/// Holds what a coder leaked, passed in through `userInfo`.
private final class Leak: @unchecked Sendable {
    var decoder: (any Decoder)?
    var sawUserInfo = false
    static let key = CodingUserInfoKey(rawValue: "leak")!
}

private struct Leaky: Codable {
    init() {}
    init(from decoder: any Decoder) throws {
        let leak = decoder.userInfo[Leak.key] as? Leak
        leak?.decoder = decoder
        _ = try decoder.singleValueContainer().decode(Int.self)
    }
    func encode(to encoder: any Encoder) throws {
        (encoder.userInfo[Leak.key] as? Leak)?.sawUserInfo = true
        var container = encoder.singleValueContainer()
        try container.encode(1)
    }
}

@Suite("Binary codec boundaries")
struct BinaryCodecBoundaryTests {
    @Test("userInfo reaches encode(to:) and init(from:); a decoder kept past decode throws")
    func userInfoAndLeakedDecoder() throws {
        let leak = Leak()
        let bytes = try BinaryEncoder(userInfo: [Leak.key: leak]).encode([Leaky()])
        #expect(leak.sawUserInfo)
        _ = try BinaryDecoder(userInfo: [Leak.key: leak]).decode([Leaky].self, from: bytes)
        let leaked = try #require(leak.decoder)
        // The input may be gone: the leaked decoder must throw, not read it.
        #expect(throws: CodecError.self) { try leaked.singleValueContainer().decode(Int.self) }
        #expect(throws: CodecError.self) { try leaked.unkeyedContainer() }
    }

    @Test("unkeyed decodeIfPresent returns nil at the end and keeps .some(nil)")
    func unkeyedDecodeIfPresent() throws {
        struct Pair: Codable, Equatable {
            var first: Int??
            var second: Int??
            init(first: Int??, second: Int??) { (self.first, self.second) = (first, second) }
            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                first = try container.decodeIfPresent(Int?.self)
                second = try container.decodeIfPresent(Int?.self)
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.unkeyedContainer()
                try container.encode(first)
            }
        }
        let back = try roundTrip(Pair(first: .some(nil), second: 5))
        #expect(back == Pair(first: .some(nil), second: nil))
    }
}

@Suite("Binary format bytes")
struct BinaryFormatBytesTests {
    private func bytes<T: Encodable>(_ value: T) throws -> [UInt8] { try BinaryEncoder().encode(value) }

    @Test("the documented layout, byte for byte")
    func golden() throws {
        #expect(try bytes(0) == [0x00])
        #expect(try bytes(30) == [0x1E])
        #expect(try bytes(31) == [0x1F, 0x1F])
        #expect(try bytes(300) == [0x1F, 0xAC, 0x02])
        #expect(try bytes(-1) == [0x20])
        #expect(try bytes(Int64.min) == [0x3F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(try bytes("hi") == [0x42, 0x68, 0x69])
        #expect(try bytes([UInt8]([1, 2])) == [0x62, 0x01, 0x02])
        #expect(try bytes([1, 2]) == [0x82, 0x01, 0x02])
        #expect(try bytes(true) == [0xC2])
        #expect(try bytes(false) == [0xC1])
        #expect(try bytes(Int?.none) == [0xC0])
        #expect(try bytes(Int??.some(nil)) == [0xC5, 0xC0])
        #expect(try bytes(Int??.some(3)) == [0x03])
        #expect(try bytes(1.5) == [0xC3, 0x00, 0x00, 0xC0, 0x3F])
        #expect(try bytes(0.1) == [0xC4, 0x9A, 0x99, 0x99, 0x99, 0x99, 0x99, 0xB9, 0x3F])
        #expect(try bytes(["a": 1]) == [0xA3, 0x41, 0x61, 0x01])
        #expect(try bytes(Small(id: 7, score: 1.5, name: "abcdefghij")) == [
            0xBF, 0x1F, 0x42, 0x69, 0x64, 0x07, 0x45, 0x73, 0x63, 0x6F, 0x72, 0x65, 0xC3, 0x00, 0x00, 0xC0, 0x3F,
            0x44, 0x6E, 0x61, 0x6D, 0x65, 0x4A, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A,
        ])
    }

    @Test("a cyclic object graph throws tooDeep instead of recursing forever")
    func cycle() throws {
        final class Node: Encodable {
            var next: Node?
        }
        let node = Node()
        node.next = node
        #expect(throws: CodecError.tooDeep(limit: BinaryEncoder.defaultMaxDepth)) { try BinaryEncoder().encode(node) }
        node.next = nil
    }
}
