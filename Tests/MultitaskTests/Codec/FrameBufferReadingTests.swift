import Testing
@testable import Multitask

/// The read side of the one frame buffer, fed by a scripted source: pieces of a set size, a
/// source that runs dry between pieces, or one that ends.
@Suite("Frame buffer reading", .timeLimit(.minutes(1)))
struct FrameBufferReadingTests {
    /// Hands out `bytes` in pieces of at most `step`; runs dry after each piece when `pauses`,
    /// and at the end returns nil (more may come) or, when `ends`, 0.
    final class ScriptedSource {
        var bytes: [UInt8]
        var offset = 0
        let step: Int
        let pauses: Bool
        var ends = false
        /// Whether the last call handed out bytes (a pausing source then runs dry once).
        private var justRead = false

        init(_ bytes: [UInt8] = [], step: Int = .max, pauses: Bool = false) {
            self.bytes = bytes
            self.step = step
            self.pauses = pauses
        }

        func read(_ target: UnsafeMutableRawBufferPointer) -> Int? {
            if pauses && justRead {
                justRead = false
                return nil
            }
            guard offset < bytes.count else { return ends ? 0 : nil }
            let count = min(step, target.count, bytes.count - offset)
            bytes.withUnsafeBytes { target.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
            offset += count
            justRead = true
            return count
        }

        /// This source as a ``FrameSource``.
        var source: FrameSource<FrameStreamError> { { (target) throws(FrameStreamError) in self.read(target) } }
    }

    /// A source that has nothing now.
    static var dry: FrameSource<FrameStreamError> { { (_) throws(FrameStreamError) in nil } }

    /// A connection frame: the 8-byte length, then `payload`.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt64(payload.count).littleEndian) { Array($0) } + payload
    }

    static func payload(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    /// The next frame's payload, reading until it is whole.
    static func next(_ buffer: FrameBuffer, _ source: ScriptedSource, limit: Int = .max) throws(FrameStreamError) -> [UInt8]? {
        try buffer.withFrame(limit: limit, from: source.source) { (frame) throws(FrameStreamError) in Array(frame) }
    }

    @Test("a length over the limit throws before the body is read, and keeps throwing with that limit")
    func overLimitIsSticky() throws {
        let buffer = FrameBuffer(framing: .connection)
        let source = ScriptedSource(Self.frame([1, 2, 3]))
        #expect(throws: FrameStreamError.tooLarge(length: 3, limit: 2)) { try Self.next(buffer, source, limit: 2) }
        #expect(throws: FrameStreamError.tooLarge(length: 3, limit: 2)) { try Self.next(buffer, source, limit: 100) }
        #expect(throws: FrameStreamError.tooLarge(length: 3, limit: 2)) { try buffer.advance(limit: 100, from: source.source) }
    }

    @Test("frames larger than the buffer, arriving in pieces, are whole only at their last byte", arguments: [1, 7, 4096])
    func largeFramesInPieces(step: Int) throws {
        let buffer = FrameBuffer(framing: .connection, capacity: 64)
        let payloads = [Self.payload(1000, seed: 1), Self.payload(10, seed: 2), Self.payload(65, seed: 3), []]
        let source = ScriptedSource(payloads.flatMap(Self.frame), step: step, pauses: true)
        var frameEnd = 0
        for payload in payloads {
            frameEnd += 8 + payload.count
            while try !buffer.advance(limit: .max, from: source.source) {
                #expect(source.offset < frameEnd)
            }
            #expect(source.offset >= frameEnd)
            #expect(try Self.next(buffer, source) == payload)
        }
        #expect(!buffer.hasReadAhead)
        #expect(try buffer.advance(limit: .max, from: source.source) == false)
    }

    @Test("a kept large buffer serves a smaller large frame without reading into the next frame")
    func keptLargeBuffer() throws {
        let buffer = FrameBuffer(framing: .connection, keepsLargeBuffer: true)
        let payloads = [Self.payload(300_000, seed: 4), Self.payload(100_000, seed: 5), Self.payload(20, seed: 6)]
        let source = ScriptedSource(payloads.flatMap(Self.frame))
        for payload in payloads { #expect(try Self.next(buffer, source) == payload) }
        #expect(source.offset == source.bytes.count && !buffer.hasReadAhead)
    }

    @Test("skipping a frame, large or small, leaves the next one intact", arguments: [10, 200_000])
    func skip(length: Int) throws {
        let buffer = FrameBuffer(framing: .connection)
        let kept = Self.payload(30, seed: 7)
        let source = ScriptedSource(Self.frame(Self.payload(length, seed: 8)) + Self.frame(kept), step: 5000)
        #expect(try buffer.nextLength(limit: .max, from: source.source) == length)
        // Part of a large frame is collected before it is skipped.
        _ = try buffer.advance(limit: .max, from: Self.dry)
        try buffer.skipFrame(from: source.source)
        #expect(try Self.next(buffer, source) == kept)
    }

    @Test("a stream that ends in the middle of a frame, or of its length field, throws ended", arguments: [3, 8, 20, 100_000])
    func endsMidFrame(cut: Int) {
        let buffer = FrameBuffer(framing: .connection, capacity: 64)
        let source = ScriptedSource(Array(Self.frame(Self.payload(200_000, seed: 9)).prefix(cut)))
        source.ends = true
        #expect(throws: FrameStreamError.ended) { try Self.next(buffer, source) }
    }
}
