/// The one buffer of length-prefixed frames the library reads from and writes to byte
/// streams: the receiving side of a `Connection` and both sides of a pool and its workers.
/// Its ``framing`` (a ``FrameHeader``) says how a frame is laid out; one buffer serves one
/// direction of one peer for the peer's whole life, so the hot path allocates nothing.
///
/// Writing (the pool's): ``appendFrame(kind:header:body:)`` then ``send(to:)``, as much as the
/// socket takes. Reading: frames come from another process, so they are hostile input
/// (DESIGN decision 13):
///
/// - A length field announcing more than the reader's limit throws
///   ``FrameStreamFailure/frameTooLarge(length:limit:)`` before anything is allocated, and
///   keeps throwing it: the stream is out of step for good (the announced bytes cannot be
///   skipped safely).
/// - Memory follows the bytes that arrived, never the announced length: a frame that fits the
///   read-ahead buffer (``capacity``) is handed out from it in place; a larger one is
///   collected in a buffer that starts at ``firstLargeChunk`` and doubles as bytes arrive. A
///   peer that announces 2^34 bytes and sends a few costs a few.
/// - The buffer remembers how far into the current frame it got, so a reader can take what a
///   non-blocking source holds and learn whether a whole frame is here; a frame counts as
///   here only once all its bytes are.
///
/// Where bytes come from is the reader's ``FrameSource`` (a `Connection` attaches descriptor
/// holding and a short spin to its socket reads). Used by one thread at a time.
///
/// ```swift
/// let output = FrameBuffer(framing: .pool)
/// output.appendFrame(kind: PoolWire.task, header: typeID, bytes: payload)
/// _ = output.send(to: socket)
/// ```
final class FrameBuffer {
    /// The first allocation for a frame larger than the read-ahead buffer (then doubled as
    /// bytes arrive): large enough that a legitimate big message is copied only a few times.
    static let firstLargeChunk = 256 * 1024

    /// The header of every frame in this buffer.
    let framing: FrameHeader
    /// Bytes of the buffer until a write needs more: read-ahead, and the largest frame read
    /// in place.
    private(set) var capacity: Int
    /// Whether the buffer for frames larger than ``capacity`` is kept for the next one
    /// (instead of freed with its frame).
    let keepsLargeBuffer: Bool
    /// Allocated at first use, so an unused direction costs nothing.
    private var storage: UnsafeMutableRawPointer?
    /// Bytes before this index were consumed (read side) or sent (write side).
    private var start = 0
    /// Bytes before this index are filled.
    private var end = 0

    /// The body length of the frame being read, once its length field was taken.
    private var pendingLength: Int?
    /// The part of a frame larger than ``capacity`` that arrived so far (`largeFilled` bytes).
    private var large = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var largeFilled = 0
    /// Whether the current frame is being collected in `large`.
    private var collectingLarge = false
    /// The length field over the limit that put the stream out of step, and that limit.
    private var refusal: (length: UInt64, limit: Int)?

    /// An empty buffer of `framing`'s frames (which have a length field); `keepsLargeBuffer`
    /// for a peer that is trusted to need its large frames again (a pool's workers).
    init(framing: FrameHeader, capacity: Int = 64 * 1024, keepsLargeBuffer: Bool = false) {
        precondition(framing.lengthSize > 0 && capacity >= framing.lengthSize, "FrameBuffer: frames need a length field that fits the buffer")
        self.framing = framing
        self.capacity = capacity
        self.keepsLargeBuffer = keepsLargeBuffer
    }

    deinit {
        storage?.deallocate()
        large.deallocate()
    }

    /// Whether nothing is buffered (on the write side: nothing is left to send).
    var isEmpty: Bool { start == end }

    /// The number of buffered bytes.
    var count: Int { end - start }

    /// Whether bytes of a frame not handed out yet were taken from the source: another
    /// process sharing the source would not see them.
    var hasReadAhead: Bool { end > start || pendingLength != nil }

    /// The largest length the framing can announce, as a limit that refuses none.
    var unlimited: Int { Int(clamping: framing.maximumLength) }

    private var base: UnsafeMutableRawPointer {
        if let storage { return storage }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        storage = fresh
        return fresh
    }

    // MARK: Writing frames

    /// Makes room for `extra` more bytes at the end, compacting first, growing if needed.
    private func reserve(_ extra: Int) {
        if start == end { start = 0; end = 0 }
        if capacity - end >= extra { return }
        if start > 0 {
            base.copyMemory(from: base + start, byteCount: end - start)
            end -= start
            start = 0
            if capacity - end >= extra { return }
        }
        var newCapacity = capacity * 2
        while newCapacity - end < extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: end)
        storage?.deallocate()
        storage = grown
        capacity = newCapacity
    }

    /// Appends one frame: `kind`, then `header` (little-endian, unless nil), then `body`.
    func appendFrame(kind: UInt8, header: UInt32? = nil, body: UnsafeRawBufferPointer) {
        precondition(framing.hasKind, "FrameBuffer: these frames carry no kind byte")
        let bodyLength = 1 + (header == nil ? 0 : 4) + body.count
        let lengthSize = framing.lengthSize
        reserve(lengthSize + bodyLength)
        var at = base + end
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
            switch socket.write(UnsafeRawBufferPointer(start: base + start, count: end - start)) {
            case .bytes(let n): start += n
            case .wouldBlock: return true
            case .closed: return false
            }
        }
        return true
    }

    // MARK: Reading frames
    //
    // The hot path (length, fill, hand-out) is inlined into each reader, so its source
    // closure is called directly: passed to an out-of-line copy, the closure's captured
    // reader would be retained and released on every frame (seen in the pipe benchmark).

    /// Reads the length field of the next frame (unless read already) from `receive`; returns
    /// the frame's body length, at most `limit`, or nil if the source ran dry first.
    @inline(__always)
    func nextLength<Failure: FrameStreamFailure>(limit: Int, from receive: FrameSource<Failure>) throws(Failure) -> Int? {
        try readLength(limit: limit, from: receive) ? pendingLength : nil
    }

    /// Moves through the next frame as far as `receive` gives bytes; returns whether it is
    /// whole (then ``withFrame(limit:from:_:)`` hands it out without reading).
    @inline(__always)
    func advance<Failure: FrameStreamFailure>(limit: Int, from receive: FrameSource<Failure>) throws(Failure) -> Bool {
        guard try readLength(limit: limit, from: receive) else { return false }
        let length = pendingLength!
        if length <= capacity { return try fill(length, from: receive) }
        return try collectLarge(length, from: receive)
    }

    /// Calls `body` with the next frame's body once it is whole (valid only during the call),
    /// reading from `receive` as needed; nil, calling nothing, if the source ran dry first.
    /// The frame is consumed even when `body` throws, so the next one stays intact.
    @inline(__always)
    func withFrame<Failure: FrameStreamFailure, Result>(
        limit: Int, from receive: FrameSource<Failure>, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result? {
        guard try advance(limit: limit, from: receive) else { return nil }
        defer { finishFrame() }
        let length = pendingLength!
        if collectingLarge { return try body(UnsafeRawBufferPointer(rebasing: large[..<length])) }
        return try body(UnsafeRawBufferPointer(start: base + start, count: length))
    }

    /// Drops the frame whose length was read, reading the rest of its body through the
    /// read-ahead buffer (no allocation for its length) from `receive`, which must wait.
    func skipFrame<Failure: FrameStreamFailure>(from receive: FrameSource<Failure>) throws(Failure) {
        var left = pendingLength!
        if collectingLarge {
            left -= largeFilled
            finishLarge()
        } else {
            let buffered = min(end - start, left)
            start += buffered
            left -= buffered
        }
        // Dropped now: a short read below leaves the stream unusable anyway.
        pendingLength = nil
        while left > 0 {
            // Nothing is buffered here; bytes beyond this frame stay.
            start = 0
            end = try receive(UnsafeMutableRawBufferPointer(start: base, count: capacity)) ?? 0
            guard end > 0 else { throw Failure.streamEnded }
            start = min(end, left)
            left -= start
        }
    }

    /// Reads the current frame's length field unless done already; returns whether it was.
    @inline(__always)
    private func readLength<Failure: FrameStreamFailure>(limit: Int, from receive: FrameSource<Failure>) throws(Failure) -> Bool {
        if let refusal { throw Failure.frameTooLarge(length: refusal.length, limit: refusal.limit) }
        if pendingLength != nil { return true }
        guard try fill(framing.lengthSize, from: receive) else { return false }
        switch framing.readLength(from: UnsafeRawBufferPointer(start: base + start, count: end - start), limit: limit) {
        case .length(let length):
            start += framing.lengthSize
            pendingLength = length
            return true
        case .tooLarge(let announced):
            refusal = (announced, limit)
            throw Failure.frameTooLarge(length: announced, limit: limit)
        case .incomplete:
            preconditionFailure("FrameBuffer: fill returned before the length field arrived")
        }
    }

    /// Consumes the current frame, whose body was handed out.
    @inline(__always)
    private func finishFrame() {
        if collectingLarge { finishLarge() } else { start += pendingLength! }
        pendingLength = nil
    }

    /// Ends collecting a large frame; frees its buffer unless ``keepsLargeBuffer``.
    private func finishLarge() {
        collectingLarge = false
        largeFilled = 0
        guard !keepsLargeBuffer else { return }
        large.deallocate()
        large = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    /// Makes at least `count` (at most ``capacity``) bytes wait in the buffer, reading ahead
    /// as far as the buffer allows; returns false if the source ran dry first.
    @inline(__always)
    private func fill<Failure: FrameStreamFailure>(_ count: Int, from receive: FrameSource<Failure>) throws(Failure) -> Bool {
        guard end - start < count else { return true }
        let base = self.base
        if start + count > capacity {
            base.copyMemory(from: base + start, byteCount: end - start)
            end -= start
            start = 0
        }
        while end - start < count {
            guard let got = try receive(UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end)) else { return false }
            guard got > 0 else { throw Failure.streamEnded }
            end += got
        }
        return true
    }

    /// Collects the body of a frame larger than the buffer into `large`, growing it only when
    /// the bytes that arrived fill it; returns false if the source ran dry first. Reads no
    /// further than the frame, so later frames stay in the source.
    private func collectLarge<Failure: FrameStreamFailure>(_ length: Int, from receive: FrameSource<Failure>) throws(Failure) -> Bool {
        if !collectingLarge {
            if large.count < min(length, Self.firstLargeChunk) {
                large.deallocate()
                large = .allocate(byteCount: min(length, Self.firstLargeChunk), alignment: 16)
            }
            let buffered = min(end - start, length)
            if buffered > 0 { large.baseAddress!.copyMemory(from: base + start, byteCount: buffered) }
            start += buffered
            largeFilled = buffered
            collectingLarge = true
        }
        while largeFilled < length {
            if largeFilled == large.count {
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: min(length, large.count * 2), alignment: 16)
                grown.baseAddress!.copyMemory(from: large.baseAddress!, byteCount: largeFilled)
                large.deallocate()
                large = grown
            }
            let target = UnsafeMutableRawBufferPointer(rebasing: large[largeFilled..<min(length, large.count)])
            guard let got = try receive(target) else { return false }
            guard got > 0 else { throw Failure.streamEnded }
            largeFilled += got
        }
        return true
    }
}
