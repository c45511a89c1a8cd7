import Testing
@testable import Multitask

@Suite("Frame headers: one piece, three framings", .timeLimit(.minutes(1)))
struct FrameHeaderTests {
    /// The bytes `header` writes for a body of `length` bytes.
    static func field(_ header: FrameHeader, _ length: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xEE, count: header.lengthSize)
        bytes.withUnsafeMutableBytes { header.writeLength(length, to: $0.baseAddress!) }
        return bytes
    }

    static func read(_ header: FrameHeader, _ bytes: [UInt8], limit: Int) -> FrameHeader.Reading {
        bytes.withUnsafeBytes { header.readLength(from: $0, limit: limit) }
    }

    @Test("the three framings are an 8-byte length, a 4-byte length with a kind, and a kind alone")
    func threeFramings() {
        #expect(FrameHeader.connection == FrameHeader(lengthSize: 8, hasKind: false))
        #expect(FrameHeader.pool == FrameHeader(lengthSize: 4, hasKind: true))
        #expect(FrameHeader.forkServer == FrameHeader(lengthSize: 0, hasKind: true))
        #expect(FrameHeader.connection.lengthSize == 8)
    }

    @Test("a length is written little-endian and read back", arguments: [FrameHeader.connection, .pool])
    func lengthRoundTrip(header: FrameHeader) {
        for length in [0, 1, 255, 256, 65_537, Int(UInt32.max)] {
            let bytes = Self.field(header, length)
            #expect(bytes[0] == UInt8(truncatingIfNeeded: length) && bytes[1] == UInt8(truncatingIfNeeded: length >> 8))
            #expect(Self.read(header, bytes, limit: Int.max) == .length(length))
        }
    }

    @Test("a length over the limit is refused, never returned", arguments: [FrameHeader.connection, .pool])
    func overLimit(header: FrameHeader) {
        #expect(Self.read(header, Self.field(header, 1001), limit: 1000) == .tooLarge(1001))
        #expect(Self.read(header, Self.field(header, 1000), limit: 1000) == .length(1000))
        #expect(Self.read(header, Self.field(header, 1), limit: -5) == .tooLarge(1))
        let allOnes = [UInt8](repeating: 0xFF, count: header.lengthSize)
        #expect(Self.read(header, allOnes, limit: Connection.defaultMaxMessageSize) == .tooLarge(header.maximumLength))
    }

    @Test("a length field that has not fully arrived is incomplete", arguments: [FrameHeader.connection, .pool])
    func partialField(header: FrameHeader) {
        let bytes = Self.field(header, 7)
        for count in 0..<header.lengthSize {
            #expect(Self.read(header, Array(bytes.prefix(count)), limit: 100) == .incomplete)
        }
    }

    @Test("splitting a body gives its kind byte and the rest; an empty body has kind 0")
    func split() {
        [UInt8]([9, 1, 2]).withUnsafeBytes { body in
            let (kind, rest) = FrameHeader.pool.split(body)
            #expect(kind == 9 && Array(rest) == [1, 2])
        }
        let (kind, rest) = FrameHeader.forkServer.split(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(kind == 0 && rest.isEmpty)
    }
}
