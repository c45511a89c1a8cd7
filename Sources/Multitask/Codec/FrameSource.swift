/// The errors a ``FrameBuffer`` reading a stream needs its reader's error type to express,
/// so each transport keeps its own error type (a `Connection` throws `ConnectionError`).
protocol FrameStreamFailure: Error {
    /// A frame's length field announced `length` bytes, more than the reader's `limit`: the
    /// stream is out of step for good.
    static func frameTooLarge(length: UInt64, limit: Int) -> Self
    /// The stream ended, between frames or in the middle of one.
    static var streamEnded: Self { get }
}

/// Why a frame stream stopped, for a reader with no error type of its own (the pool's).
enum FrameStreamError: FrameStreamFailure, Equatable {
    /// A length field announced more than the limit.
    case tooLarge(length: UInt64, limit: Int)
    /// The stream ended.
    case ended

    static func frameTooLarge(length: UInt64, limit: Int) -> FrameStreamError { .tooLarge(length: length, limit: limit) }
    static var streamEnded: FrameStreamError { .ended }
}

/// Where a ``FrameBuffer`` gets bytes: called with the space to fill, it returns how many
/// bytes it put there, 0 at the end of the stream, or nil when nothing is there now (and
/// the caller does not want to wait).
typealias FrameSource<Failure: FrameStreamFailure> = (UnsafeMutableRawBufferPointer) throws(Failure) -> Int?

extension StreamSocket {
    /// Reads into `target` as a ``FrameSource``: nil when a non-blocking socket has nothing
    /// (a blocking one waits), 0 once the other end is closed.
    @inline(__always)
    func frameBytes(into target: UnsafeMutableRawBufferPointer) -> Int? {
        switch read(into: target) {
        case .bytes(let count): count
        case .wouldBlock: nil
        case .closed: 0
        }
    }
}

extension FrameBuffer {
    /// Calls `body` with the kind and the rest of the next frame once it is whole (valid only
    /// during the call; an empty body has kind 0), reading from `socket` as needed — until
    /// the frame is whole on a blocking socket, until it would block on a non-blocking one —
    /// or not at all when `socket` is nil. Returns nil if no whole frame is here; throws
    /// ``FrameStreamError/ended`` once the other end closed. For framings with a kind byte,
    /// whose reader trusts every length the field can say (a pool and its workers).
    @inline(__always)
    func nextFrame<Result>(
        from socket: StreamSocket?, _ body: (UInt8, UnsafeRawBufferPointer) -> Result
    ) throws(FrameStreamError) -> Result? {
        try withFrame(limit: unlimited, from: { (target) throws(FrameStreamError) in socket?.frameBytes(into: target) }) { (frame) throws(FrameStreamError) in
            let (kind, rest) = framing.split(frame)
            return body(kind, rest)
        }
    }

    /// Whether the next frame is whole, after reading from `socket` as ``nextFrame(from:_:)``
    /// does (nothing is consumed).
    func hasWholeFrame(reading socket: StreamSocket?) throws(FrameStreamError) -> Bool {
        try advance(limit: unlimited, from: { (target) throws(FrameStreamError) in socket?.frameBytes(into: target) })
    }
}
