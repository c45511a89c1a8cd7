/// A growable byte buffer of length-prefixed frames, read from or written to a
/// ``StreamSocket`` with as few calls as possible: one buffer per direction per worker, reused
/// for the pool's whole life, so the hot path allocates nothing.
///
/// A frame is a 4-byte little-endian body length, then the body; the body's first byte is
/// its kind (``PoolWire``). Used by one thread at a time.
final class PoolFrameBuffer {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes before this index were consumed (read side) or sent (write side).
    private var start = 0
    /// Bytes before this index are filled.
    private var end = 0

    init(capacity: Int = 64 * 1024) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit { storage.deallocate() }

    /// Whether nothing is buffered.
    var isEmpty: Bool { start == end }

    /// The number of buffered bytes.
    var count: Int { end - start }

    /// Makes room for `extra` more bytes at the end, compacting first.
    private func reserve(_ extra: Int) {
        if start == end { start = 0; end = 0 }
        if capacity - end >= extra { return }
        if start > 0 {
            storage.copyMemory(from: storage + start, byteCount: end - start)
            end -= start
            start = 0
            if capacity - end >= extra { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - end < extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: storage, byteCount: end)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    // MARK: Writing frames

    /// Appends one frame: `kind`, then `header` (a fixed-width integer, little-endian, unless
    /// nil), then `body`.
    func appendFrame(kind: UInt8, header: UInt32? = nil, body: UnsafeRawBufferPointer) {
        let bodyLength = 1 + (header == nil ? 0 : 4) + body.count
        reserve(4 + bodyLength)
        var at = storage + end
        at.storeBytes(of: UInt32(bodyLength).littleEndian, as: UInt32.self)
        at += 4
        at.storeBytes(of: kind, as: UInt8.self)
        at += 1
        if let header {
            at.storeBytes(of: header.littleEndian, as: UInt32.self)
            at += 4
        }
        if body.count > 0 { at.copyMemory(from: body.baseAddress!, byteCount: body.count) }
        end += 4 + bodyLength
    }

    /// Appends a frame whose body is `bytes`.
    func appendFrame(kind: UInt8, header: UInt32? = nil, bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendFrame(kind: kind, header: header, body: $0) }
    }

    /// Sends as much as the socket takes; returns false if the peer is gone.
    func send(to socket: StreamSocket) -> Bool {
        while start < end {
            switch socket.write(UnsafeRawBufferPointer(start: storage + start, count: end - start)) {
            case .bytes(let n): start += n
            case .wouldBlock: return true
            case .closed: return false
            }
        }
        return true
    }

    // MARK: Reading frames

    /// Reads once from `socket` (at least 64 KiB of room); the outcome of the read.
    func receive(from socket: StreamSocket) -> StreamSocket.Transfer {
        reserve(64 * 1024)
        let result = socket.read(into: UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end))
        if case .bytes(let n) = result { end += n }
        return result
    }

    /// Whether a whole frame is buffered.
    var hasFrame: Bool {
        guard end - start >= 4 else { return false }
        let length = Int(UInt32(littleEndian: (storage + start).loadUnaligned(as: UInt32.self)))
        return end - start >= 4 + length
    }

    /// Removes the first whole frame and calls `body` with its kind and the rest of its body
    /// (valid only during the call); returns nil if no whole frame is buffered.
    func nextFrame<Result>(_ body: (UInt8, UnsafeRawBufferPointer) throws -> Result) rethrows -> Result? {
        guard hasFrame else { return nil }
        let length = Int(UInt32(littleEndian: (storage + start).loadUnaligned(as: UInt32.self)))
        let frame = UnsafeRawBufferPointer(start: storage + start + 4, count: length)
        start += 4 + length
        guard length > 0 else { return try body(0, UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(frame[0], UnsafeRawBufferPointer(rebasing: frame[1...]))
    }
}

/// The frame kinds between a pool and its workers.
///
/// Parent → worker: ``defineType`` (header: type number; body: mangled name, sent once per
/// worker before the first task of that type), ``task`` (header: type number; body: the
/// encoded task), ``stop`` (finish what was sent, then exit). Worker → parent, one per task
/// and in task order: ``success`` (body: the encoded output) or ``failure`` (body: error type,
/// a zero byte, description).
enum PoolWire {
    static let defineType: UInt8 = 1
    static let task: UInt8 = 2
    static let stop: UInt8 = 3
    static let success: UInt8 = 10
    static let failure: UInt8 = 11

    /// Reads the header word at the front of a frame body.
    static func header(of body: UnsafeRawBufferPointer) -> (UInt32, UnsafeRawBufferPointer)? {
        guard body.count >= 4 else { return nil }
        let value = UInt32(littleEndian: body.loadUnaligned(as: UInt32.self))
        return (value, UnsafeRawBufferPointer(rebasing: body[4...]))
    }
}
