import Testing
@testable import Multitask

/// A raw-eligible struct whose Codable conformance fails: any use of the Codable path shows.
private struct Sample: BitwiseCodable, Equatable {
    var time: Int64
    var value: Double
    var channel: Int32

    struct CodablePathUsed: Error {}
    init(time: Int64, value: Double, channel: Int32) { (self.time, self.value, self.channel) = (time, value, channel) }
    init(from decoder: any Decoder) throws { throw CodablePathUsed() }
    func encode(to encoder: any Encoder) throws { throw CodablePathUsed() }
}

@Suite("MessageCodec")
struct MessageCodecTests {
    @Test("numbers and BitwiseCodable structs take the raw path; others the Codable path")
    func pathSelection() {
        #expect(MessageCodec<Int>().rawSize == 8)
        #expect(MessageCodec<UInt8>().rawSize == 1)
        #expect(MessageCodec<Double>().rawSize == 8)
        #expect(MessageCodec<Float>().rawSize == 4)
        #expect(MessageCodec<Sample>().rawSize == MemoryLayout<Sample>.size)
        // Invalid bit patterns or references: never raw.
        #expect(!MessageCodec<Bool>().isRaw)
        #expect(!MessageCodec<String>().isRaw)
        #expect(!MessageCodec<[Int]>().isRaw)
        #expect(!MessageCodec<Int?>().isRaw)
        #expect(!MessageCodec<Small>().isRaw)
        #expect(!MessageCodec<Shape>().isRaw)
    }

    @Test("raw messages round-trip through a caller's buffer without touching Codable")
    func rawRoundTrip() throws {
        let codec = MessageCodec<Sample>()
        let sample = Sample(time: -5, value: .pi, channel: 3)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
        defer { buffer.deallocate() }
        // An odd offset: the ring's slots need not be aligned.
        let slot = UnsafeMutableRawBufferPointer(rebasing: buffer[1...])
        let size = try #require(try codec.encode(sample, into: slot))
        #expect(size == MemoryLayout<Sample>.size)
        #expect(try codec.decode(from: UnsafeRawBufferPointer(rebasing: slot[..<size])) == sample)
        #expect(try codec.encode(sample, into: UnsafeMutableRawBufferPointer(rebasing: slot[..<4])) == nil)
        #expect(try codec.withEncodedBytes(of: sample) { try codec.decode(from: $0) } == sample)
        var bytes: [UInt8] = []
        try codec.append(sample, to: &bytes)
        #expect(try codec.decode(from: bytes) == sample)

        let ints = MessageCodec<Int>()
        for value in [0, -1, .max, .min] {
            #expect(try ints.withEncodedBytes(of: value) { try ints.decode(from: $0) } == value)
        }
    }

    @Test("a raw message of the wrong size throws")
    func rawWrongSize() {
        #expect(throws: CodecError.self) { try MessageCodec<Int>().decode(from: [1, 2, 3]) }
        #expect(throws: CodecError.self) { try MessageCodec<Int>().decode(from: []) }
    }

    @Test("Codable messages round-trip and reject garbage")
    func codableMessages() throws {
        let codec = MessageCodec<Small>()
        let value = Small(id: 1, score: 2, name: "three")
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        let size = try #require(try codec.encode(value, into: buffer))
        #expect(try codec.decode(from: UnsafeRawBufferPointer(rebasing: buffer[..<size])) == value)
        #expect(try codec.encode(value, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<3])) == nil)
        #expect(throws: CodecError.self) { try codec.decode(from: UnsafeRawBufferPointer(rebasing: buffer[..<(size - 1)])) }
        #expect(try MessageCodec<Bool>().decode(from: MessageCodec<Bool>().withEncodedBytes(of: true) { Array($0) }))
    }
}
