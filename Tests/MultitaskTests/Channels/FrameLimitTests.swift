import Glibc
import Testing
@testable import Multitask

/// Frames written by a peer that does not follow the protocol: huge or wrong lengths, frames
/// cut short, half frames that stall. Every wait is a `poll` with a timeout, so a regression
/// fails the test instead of hanging it.
@Suite("Connection frames are hostile input", .serialized, .timeLimit(.minutes(2)))
struct FrameLimitTests {
    /// Writes `bytes` to `connection`'s socket as they are, bypassing the framing.
    func writeRaw(_ bytes: [UInt8], to connection: Connection) throws {
        try bytes.withUnsafeBytes { try StreamSocket(fd: connection.fileDescriptor.rawValue).sendAll($0) }
    }

    func header(_ length: UInt64) -> [UInt8] {
        withUnsafeBytes(of: length.littleEndian) { Array($0) }
    }

    /// This process's resident memory in bytes, from `/proc/self/status`.
    func residentBytes() -> Int {
        let status = readFile("/proc/self/status") ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kilobytes * 1024
    }

    @Test("a length prefix above maxMessageSize throws messageTooLarge at once, for raw and Codable types", arguments: [UInt64(1) << 63, 1 << 36, 1 << 34])
    func hugePrefix(length: UInt64) throws {
        let (a, b) = try Connection.pipe()
        defer { a.close(); b.close() }
        try writeRaw(header(length) + [UInt8](repeating: 0xAB, count: 1000), to: a)
        #expect(b.poll(timeout: .seconds(20)))
        let expected = ConnectionError.messageTooLarge(length: length, limit: Connection.defaultMaxMessageSize)
        #expect(throws: expected) { try b.receive(Int.self) }
        // The stream is out of step: the end stays unusable for receiving, and says so at once.
        #expect(throws: expected) { try b.receive([String].self) }
        #expect(throws: expected) { try b.receiveBytes() }
        #expect(b.poll(timeout: .zero))
        #expect(Connection.wait([b], timeout: .zero).count == 1)
        #expect(throws: EncodingError.self) { try BinaryEncoder().encode(b) }
    }

    @Test("maxMessageSize is per connection and checked before reading")
    func configurableLimit() throws {
        let (a, b) = try Connection.pipe(maxMessageSize: 16)
        defer { a.close(); b.close() }
        #expect(b.maxMessageSize == 16)
        try a.sendBytes([UInt8](repeating: 1, count: 16))
        #expect(b.poll(timeout: .seconds(20)))
        #expect(try b.receiveBytes() == [UInt8](repeating: 1, count: 16))
        b.maxMessageSize = 8
        try a.sendBytes([UInt8](repeating: 1, count: 9))
        #expect(b.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.messageTooLarge(length: 9, limit: 8)) { try b.receiveBytes() }
    }

    @Test("a huge announced frame costs memory for the bytes that arrive, not for its length", arguments: [UInt64(1) << 36, 1 << 34])
    func memoryFollowsArrivedBytes(length: UInt64) throws {
        let (a, b) = try Connection.pipe(maxMessageSize: .max)
        defer { b.close() }
        let before = residentBytes()
        let chunk = [UInt8](repeating: 0x5A, count: 1 << 20)
        // A thread sends the header and 8 MiB (more than the socket holds), then hangs up.
        let writer = Multitask.Thread {
            try? writeRaw(header(length), to: a)
            for _ in 0..<8 { try? writeRaw(chunk, to: a) }
            a.close()
        }
        writer.start()
        // Poll reads what arrives, so the writer gets through; the frame is never whole, but
        // the hang-up makes the end ready (a receive reports it at once).
        #expect(b.poll(timeout: .seconds(30)))
        #expect(writer.join(timeout: .seconds(30)))
        #expect(throws: ConnectionError.closed) { try b.receiveBytes() }
        let growth = residentBytes() - before
        #expect(growth < 100 << 20, "resident memory grew by \(growth >> 20) MiB")
    }

    @Test("a raw type received from a frame of another size throws undecodable; the next message is intact")
    func rawLengthMismatch() throws {
        let (a, b) = try Connection.pipe()
        defer { a.close(); b.close() }
        try writeRaw(header(3) + [1, 2, 3], to: a)
        try a.send(5)
        try writeRaw(header(100_000) + [UInt8](repeating: 9, count: 100_000), to: a)
        try a.send(6)
        #expect(b.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.undecodable("a message of 3 bytes cannot be a Int (8 bytes)")) { try b.receive(Int.self) }
        #expect(try b.receive(Int.self) == 5)
        #expect(b.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.self) { try b.receive(Int.self) }
        #expect(b.poll(timeout: .seconds(20)))
        #expect(try b.receive(Int.self) == 6)
    }

    @Test("a frame cut short by the peer's close throws closed", arguments: [100, 300_000])
    func truncatedFrame(length: Int) throws {
        let (a, b) = try Connection.pipe()
        defer { b.close() }
        try writeRaw(header(UInt64(length)) + [UInt8](repeating: 7, count: 50), to: a)
        a.close()
        #expect(b.poll(timeout: .seconds(20)))
        #expect(throws: ConnectionError.closed) { try b.receiveBytes() }
        #expect(throws: ConnectionError.closed) { try b.receive(Int.self) }
    }

    @Test("poll and wait do not report half a header or half a frame; they do once it completes", arguments: [3, 8, 8 + 50])
    func partialFrame(prefix: Int) throws {
        let (a, b) = try Connection.pipe()
        defer { a.close(); b.close() }
        let frame = header(100) + [UInt8](repeating: 3, count: 100)
        try writeRaw(Array(frame[..<prefix]), to: a)
        #expect(!b.poll(timeout: .zero))
        #expect(!b.poll(timeout: .milliseconds(50)))
        #expect(Connection.wait([b], timeout: .milliseconds(50)).isEmpty)
        try writeRaw(Array(frame[prefix...]), to: a)
        #expect(b.poll(timeout: .seconds(20)))
        #expect(Connection.wait([b], timeout: .seconds(20)).count == 1)
        #expect(try b.receiveBytes() == [UInt8](repeating: 3, count: 100))
        #expect(!b.poll(timeout: .zero))
    }

    @Test("a frame larger than the socket buffer completes while poll is called, then receive returns it")
    func largeFrameThroughPoll() throws {
        let (a, b) = try Connection.pipe()
        defer { a.close(); b.close() }
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let writer = Multitask.Thread { try? a.sendBytes(payload) }
        writer.start()
        // A partial large frame is never reported: once poll says yes, the frame is here.
        #expect(b.poll(timeout: .seconds(30)))
        #expect(writer.join(timeout: .seconds(30)))
        #expect(try b.receiveBytes() == payload)
    }
}
