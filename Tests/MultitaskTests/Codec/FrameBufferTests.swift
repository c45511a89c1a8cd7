import Testing
@testable import Multitask

@Suite("Frame buffer", .timeLimit(.minutes(1)))
struct FrameBufferTests {
    @Test("frames sent through a socket arrive whole, in order, with kind and header word")
    func framesRoundTrip() throws {
        let (a, b) = try StreamSocket.pair()
        let output = FrameBuffer(framing: .pool)
        let input = FrameBuffer(framing: .pool)
        output.appendFrame(kind: PoolWire.task, header: 42, bytes: [1, 2, 3])
        output.appendFrame(kind: PoolWire.stop, body: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(output.send(to: a) && output.isEmpty)
        // `b` blocks: reading waits until a frame is whole.
        let task = try input.nextFrame(from: b) { kind, body in (kind, PoolWire.header(of: body).map { ($0.0, Array($0.1)) }) }
        #expect(task?.0 == PoolWire.task && task?.1?.0 == 42 && task?.1?.1 == [1, 2, 3])
        #expect(try input.nextFrame(from: b) { kind, body in kind == PoolWire.stop && body.isEmpty } == true)
        #expect(try input.nextFrame(from: nil) { _, _ in true } == nil)
    }

    @Test("a frame counts as here only once its last byte is")
    func partialFrame() throws {
        let (a, b) = try StreamSocket.pair()
        // Non-blocking: reading takes what arrived and stops.
        try b.setNonBlocking()
        let input = FrameBuffer(framing: .pool)
        var frame: [UInt8] = []
        frame.appendField(UInt32(5))
        frame.append(contentsOf: [PoolWire.success, 1, 2, 3, 4])
        for cut in [2, 6, frame.count] {
            let sent = frame.withUnsafeBytes { a.write(UnsafeRawBufferPointer(rebasing: $0[(cut == 2 ? 0 : cut == 6 ? 2 : 6)..<cut])) }
            #expect(sent != .closed)
            #expect(try input.hasWholeFrame(reading: b) == (cut == frame.count))
        }
        #expect(try input.nextFrame(from: nil) { kind, body in kind == PoolWire.success && Array(body) == [1, 2, 3, 4] } == true)
    }

    @Test("a body too short for its header word reads as no header")
    func shortHeaderWord() {
        [UInt8]([1, 2, 3]).withUnsafeBytes { #expect(PoolWire.header(of: $0) == nil) }
    }
}
