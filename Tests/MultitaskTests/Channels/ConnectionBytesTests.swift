import Glibc
import Testing
@testable import Multitask

/// `sendBytes(_:offset:size:)` and `receiveBytes(into:offset:)` (Python's `send_bytes` with
/// offset and size, and `recv_bytes_into`).
@Suite("Connection bytes with offsets", .timeLimit(.minutes(1)))
struct ConnectionBytesTests {
    @Test("sendBytes sends the part from offset, of size bytes, for contiguous and other collections")
    func sendPart() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let frame: [UInt8] = [0xFF, 1, 2, 3, 0xFF]
        try a.sendBytes(frame, offset: 1, size: 3)
        try a.sendBytes(frame, offset: 3)
        try a.sendBytes(frame, offset: 5)
        try a.sendBytes(frame, size: 2)
        try a.sendBytes((0..<10).lazy.map { UInt8($0) }, offset: 2, size: 3)
        try a.sendBytes(frame[1...], offset: 1, size: 2)
        #expect(try b.receiveBytes() == [1, 2, 3])
        #expect(try b.receiveBytes() == [3, 0xFF])
        #expect(try b.receiveBytes() == [])
        #expect(try b.receiveBytes() == [0xFF, 1])
        #expect(try b.receiveBytes() == [2, 3, 4])
        #expect(try b.receiveBytes() == [2, 3])
    }

    @Test("an offset past the bytes stops the program, saying so")
    func sendOffsetOutOfRange() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (a, _) = try! Pipe(duplex: true)
            try? a.sendBytes([1, 2, 3, 4, 5], offset: 6)
        }
        #expect(result.standardErrorText.contains("Connection.sendBytes: offset 6 is outside the 5 bytes given"))
    }

    @Test("a size running past the bytes stops the program, saying so")
    func sendSizeOutOfRange() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (a, _) = try! Pipe(duplex: true)
            try? a.sendBytes([1, 2, 3, 4, 5], offset: 2, size: 4)
        }
        #expect(result.standardErrorText.contains("Connection.sendBytes: size 4 from offset 2 runs past the 5 bytes given"))
    }

    @Test("receiveBytes(into:offset:) writes the message at the offset, returns its length, leaves the rest")
    func receiveInto() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        try a.sendBytes([1, 2, 3])
        try a.sendBytes([])
        try a.sendBytes([9, 9, 9, 9])
        var buffer = [UInt8](repeating: 0xEE, count: 6)
        #expect(try b.receiveBytes(into: &buffer, offset: 2) == 3)
        #expect(buffer == [0xEE, 0xEE, 1, 2, 3, 0xEE])
        #expect(try b.receiveBytes(into: &buffer, offset: 6) == 0)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 1)
        defer { raw.deallocate() }
        #expect(try b.receiveBytes(into: raw) == 4)
        #expect(Array(raw) == [9, 9, 9, 9])
    }

    @Test("a message longer than the space left throws .bufferTooShort and stays first in line")
    func receiveIntoTooShort() throws {
        let (a, b) = try Pipe(duplex: true)
        defer { a.close(); b.close() }
        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        try a.sendBytes([1, 2, 3, 4, 5])
        try a.sendBytes(large)
        try a.sendBytes([7])
        var small = [UInt8](repeating: 0, count: 8)
        #expect(throws: ConnectionError.bufferTooShort(length: 5, space: 3)) { try b.receiveBytes(into: &small, offset: 5) }
        #expect(small == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try b.receiveBytes(into: &small) == 5)
        #expect(throws: ConnectionError.bufferTooShort(length: 100_000, space: 8)) { try b.receiveBytes(into: &small) }
        var big = [UInt8](repeating: 0, count: 100_000)
        #expect(try b.receiveBytes(into: &big) == 100_000)
        #expect(big == large)
        #expect(try b.receive([UInt8].self) == [7])
    }

    @Test("an offset outside the receive buffer stops the program")
    func receiveIntoBadOffset() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (_, b) = try! Pipe(duplex: true)
            var buffer = [UInt8](repeating: 0, count: 4)
            _ = try? b.receiveBytes(into: &buffer, offset: 5)
        }
        #expect(result.standardErrorText.contains("offset 5 is outside the buffer of 4 bytes"))
    }
}
