import Testing
@testable import Multitask

private struct Sample: Codable, Equatable {
    enum Kind: Codable, Equatable {
        case plain
        case sized(width: Int, height: Int)
        case named(String)
    }
    var int: Int
    var negative: Int64
    var small: Int8
    var unsigned: UInt64
    var double: Double
    var float: Float
    var flag: Bool
    var text: String
    var optional: String?
    var missing: Int?
    var list: [Int]
    var nested: [[String: Double]]
    var kinds: [Kind]
    var set: Set<String>
}

@Suite("Payload coding")
struct PayloadCodingTests {
    private let sample = Sample(
        int: 42, negative: .min, small: -8, unsigned: .max, double: -0.5, float: 3.25, flag: true,
        text: "héllo, 世界", optional: "yes", missing: nil, list: [1, -2, 3],
        nested: [["a": 1.5], [:]], kinds: [.plain, .sized(width: 3, height: 4), .named("x")], set: ["p", "q"]
    )

    @Test("values round-trip through the binary form")
    func roundTrip() throws {
        let bytes = try PayloadEncoder.encode(sample)
        #expect(try PayloadDecoder.decode(Sample.self, from: bytes) == sample)
        #expect(try PayloadDecoder.decode(Int.self, from: PayloadEncoder.encode(5)) == 5)
        #expect(try PayloadDecoder.decode(String?.self, from: PayloadEncoder.encode(String?.none)) == nil)
        #expect(try PayloadDecoder.decode([UInt8].self, from: PayloadEncoder.encode([UInt8](0...255))) == [UInt8](0...255))
    }

    @Test("a child payload round-trips with its header")
    func childPayload() throws {
        let payload = try ChildPayload(entry: StatusEntry(status: 3, expectedName: "n"), typeName: "T", name: "n", isDaemon: true,
                                       identity: [1, 2], startMethod: .spawn, parentPID: 10, parentName: "MainProcess")
        let back = try ChildPayload(bytes: payload.serialized())
        #expect(back.entryType == "T" && back.name == "n" && back.isDaemon && back.identity == [1, 2])
        #expect(back.startMethod == .spawn && back.parentPID == 10 && back.parentName == "MainProcess")
        #expect(back.entry == payload.entry)
    }

    @Test("mistyped and out-of-range values throw")
    func mistyped() throws {
        #expect(throws: DecodingError.self) { try PayloadDecoder.decode(Int8.self, from: PayloadEncoder.encode(300)) }
        #expect(throws: DecodingError.self) { try PayloadDecoder.decode(UInt.self, from: PayloadEncoder.encode(-1)) }
        #expect(throws: DecodingError.self) { try PayloadDecoder.decode(String.self, from: PayloadEncoder.encode(1)) }
        #expect(throws: DecodingError.self) { try PayloadDecoder.decode(Sample.self, from: PayloadEncoder.encode([1, 2])) }
    }

    @Test("truncated and random bytes throw and never trap")
    func hostileBytes() throws {
        let good = try PayloadEncoder.encode(sample)
        for cut in 0..<good.count {
            #expect(throws: (any Error).self) { try PayloadDecoder.decode(Sample.self, from: Array(good.prefix(cut))) }
        }
        var generator = SystemRandomNumberGenerator()
        var decoded = 0
        for _ in 0..<20_000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if (try? PayloadDecoder.decode(Sample.self, from: bytes)) != nil { decoded += 1 }
            let noise = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? PayloadDecoder.decode(Sample.self, from: noise)
            _ = try? ChildPayload(bytes: noise)
        }
        // Some mutations only change a number or a letter and still decode; that is fine.
        #expect(decoded < 20_000)
        let deep = Array(repeatElement([UInt8(8), 1], count: 10_000).joined())
        #expect(throws: (any Error).self) { try PayloadNode.parse(deep) }
    }
}
