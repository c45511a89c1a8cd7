/// A growable byte buffer of length-prefixed frames, read from or written to a
/// ``StreamSocket`` with as few calls as possible: one buffer per direction per peer, reused
/// for the peer's whole life, so the hot path allocates nothing.
///
/// Its ``framing`` says what a frame looks like: with ``FrameHeader/pool`` (a pool and its
/// workers) a 4-byte little-endian body length, then the body, whose first byte is its kind
/// (``PoolWire``). Every length is read through ``FrameHeader/readLength(from:limit:)``, and
/// a frame counts as here only once all its bytes are. Used by one thread at a time.
///
/// ```swift
/// let output = FrameBuffer(framing: .pool)
/// output.appendFrame(kind: PoolWire.task, header: typeID, bytes: payload)
/// _ = output.send(to: socket)
/// ```
final class FrameBuffer {
    /// The header of every frame in this buffer (a length field and a kind byte).
    let framing: FrameHeader
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes before this index were consumed (read side) or sent (write side).
    private var start = 0
    /// Bytes before this index are filled.
    private var end = 0

    /// An empty buffer of `framing`'s frames (which must have a length field and a kind).
    init(framing: FrameHeader, capacity: Int = 64 * 1024) {
        precondition(framing.lengthSize > 0 && framing.hasKind, "FrameBuffer: frames need a length field and a kind byte")
        self.framing = framing
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
        let lengthSize = framing.lengthSize
        reserve(lengthSize + bodyLength)
        var at = storage + end
        framing.writeLength(bodyLength, to: at)
        at += lengthSize
        at.storeBytes(of: kind, as: UInt8.self)
        at += 1
        if let header {
            at.storeBytes(of: header.littleEndian, as: UInt32.self)
            at += 4
        }
        if body.count > 0 { at.copyMemory(from: body.baseAddress!, byteCount: body.count) }
        end += lengthSize + bodyLength
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

    /// The body length of the first frame if all of it is buffered.
    @inline(__always)
    private var wholeFrameLength: Int? {
        let buffered = UnsafeRawBufferPointer(start: storage + start, count: end - start)
        // The limit is what the field can say: no length is refused, none is trusted
        // before its bytes arrived.
        guard case .length(let length) = framing.readLength(from: buffered, limit: Int(clamping: framing.maximumLength)),
              buffered.count - framing.lengthSize >= length
        else { return nil }
        return length
    }

    /// Whether a whole frame is buffered.
    var hasFrame: Bool { wholeFrameLength != nil }

    /// Removes the first whole frame and calls `body` with its kind and the rest of its body
    /// (valid only during the call; an empty body has kind 0); returns nil if no whole frame
    /// is buffered.
    func nextFrame<Result>(_ body: (UInt8, UnsafeRawBufferPointer) throws -> Result) rethrows -> Result? {
        guard let length = wholeFrameLength else { return nil }
        let frame = UnsafeRawBufferPointer(start: storage + start + framing.lengthSize, count: length)
        start += framing.lengthSize + length
        let (kind, rest) = framing.split(frame)
        return try body(kind, rest)
    }
}

