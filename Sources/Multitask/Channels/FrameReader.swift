import SystemPackage

/// The receiving half of a ``Connection``: frames (an 8-byte little-endian length, then the
/// payload) taken from a byte stream through a read-ahead buffer.
///
/// The buffer makes one `recv` serve many small messages when they queue up, and lets a
/// message that fits be decoded in place, without a copy into an array. A message larger than
/// the buffer is read straight into its own array. Not thread-safe: the connection serializes
/// receivers.
final class FrameReader {
    /// Bytes of read-ahead; messages up to this size are decoded from the buffer in place.
    static let capacity = 64 * 1024
    /// The size of a frame header.
    static let headerSize = 8

    /// Allocated at the first receive, so a send-only end costs nothing.
    private var storage: UnsafeMutableRawBufferPointer?
    private var start = 0
    private var end = 0

    init() {}

    deinit { storage?.deallocate() }

    /// Whether bytes already read from the socket wait in the buffer.
    var hasBufferedBytes: Bool { end > start }

    /// Reads the next frame's header and returns its payload length.
    func nextLength(from socket: StreamSocket, spinBudget: Int64) throws(ConnectionError) -> Int {
        try fill(Self.headerSize, from: socket, spinBudget: spinBudget)
        let header = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: start, as: UInt64.self))
        start += Self.headerSize
        guard header <= UInt64(Int.max) else { throw .undecodable("a frame header announces \(header) bytes") }
        return Int(header)
    }

    /// Calls `body` with the payload of `length` bytes that follows the header just read.
    func withPayload<Result>(
        length: Int, from socket: StreamSocket, spinBudget: Int64,
        _ body: (UnsafeRawBufferPointer) throws(ConnectionError) -> Result
    ) throws(ConnectionError) -> Result {
        if length <= Self.capacity {
            try fill(length, from: socket, spinBudget: spinBudget)
            let payload = UnsafeRawBufferPointer(rebasing: buffer[start..<start + length])
            // Consumed even when decoding fails, so the next message stays intact.
            defer { start += length }
            return try body(payload)
        }
        var failure: ConnectionError?
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { target, count in
            let raw = UnsafeMutableRawBufferPointer(target)
            let buffered = end - start
            raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            start = 0
            end = 0
            do throws(ConnectionError) {
                try Self.readExactly(into: UnsafeMutableRawBufferPointer(rebasing: raw[buffered...]), from: socket)
            } catch {
                failure = error
            }
            // A short read leaves the connection unusable anyway; the array is dropped.
            count = length
        }
        if let failure { throw failure }
        var result: Result?
        try bytes.withContiguousBytes { (raw) throws(ConnectionError) in result = try body(raw) }
        return result!
    }

    /// Reads and drops a payload of `length` bytes.
    func discard(length: Int, from socket: StreamSocket) throws(ConnectionError) {
        var left = length
        while left > 0 {
            if !hasBufferedBytes { try fill(1, from: socket, spinBudget: 0) }
            let step = min(left, end - start)
            start += step
            left -= step
        }
    }

    private var buffer: UnsafeMutableRawBufferPointer {
        if let storage { return storage }
        let fresh = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.capacity, alignment: 16)
        storage = fresh
        return fresh
    }

    /// Makes at least `count` (≤ capacity) bytes wait in the buffer.
    private func fill(_ count: Int, from socket: StreamSocket, spinBudget: Int64) throws(ConnectionError) {
        guard end - start < count else { return }
        let buffer = self.buffer
        if start + count > Self.capacity {
            let buffered = end - start
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered)
            start = 0
            end = buffered
        }
        while end - start < count {
            let got = try Self.receiveSome(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]), from: socket, spinBudget: spinBudget)
            guard got > 0 else { throw .closed }
            end += got
        }
    }

    /// Receives what is there, waiting for something. Before sleeping in the kernel it polls
    /// for `spinBudget` nanoseconds: waking a sleeping CPU costs up to ~40 µs on a VM, more
    /// than a typical reply takes to arrive. It yields between polls instead of spinning with
    /// `pause`, since the scheduler tends to put the two ends of a socket on the same CPU,
    /// where a busy spin would keep the peer from answering until the budget runs out
    /// (measured: round trip ≈ 2 × budget).
    private static func receiveSome(into target: UnsafeMutableRawBufferPointer, from socket: StreamSocket, spinBudget: Int64) throws(ConnectionError) -> Int {
        do throws(Errno) {
            if spinBudget > 0 {
                if let got = try socket.receive(into: target, nonBlocking: true) { return got }
                let end = Deadline.now.nanoseconds + spinBudget
                repeat {
                    CPU.yield()
                    if let got = try socket.receive(into: target, nonBlocking: true) { return got }
                } while Deadline.now.nanoseconds < end
            }
            return try socket.receive(into: target, nonBlocking: false) ?? 0
        } catch {
            throw ConnectionError(error)
        }
    }

    private static func readExactly(into target: UnsafeMutableRawBufferPointer, from socket: StreamSocket) throws(ConnectionError) {
        var offset = 0
        while offset < target.count {
            let got = try receiveSome(into: UnsafeMutableRawBufferPointer(rebasing: target[offset...]), from: socket, spinBudget: 0)
            guard got > 0 else { throw .closed }
            offset += got
        }
    }
}
