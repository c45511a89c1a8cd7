/// The header in front of every frame of bytes the library sends between processes: one
/// piece with three configurations, one per transport.
///
/// - ``connection`` (`Pipe`/`Connection`): an 8-byte little-endian payload length.
/// - ``pool`` (a pool and its workers): a 4-byte little-endian body length, then the body,
///   whose first byte is its kind (``PoolWire``).
/// - ``forkServer`` (a program and its fork server): no length, since the `SOCK_SEQPACKET`
///   socket keeps each message whole (the packet is the frame, see ``ForkServerMessage``);
///   the message's first byte is its kind.
///
/// The two stream framings are read and written by the one ``FrameBuffer``.
///
/// Frames come from another process, so they are hostile input (DESIGN decision 13):
/// ``readLength(from:limit:)`` says whether the whole length field is there and refuses a
/// length over the reader's limit before anything is allocated or read for it; the fields of
/// a body are read with ``FrameFields``, every one bounds-checked.
///
/// ```swift
/// let header = FrameHeader.pool
/// header.writeLength(body.count, to: frame)      // 4 bytes, little-endian
/// header.readLength(from: received, limit: 1 << 20) // .length(body.count)
/// ```
struct FrameHeader: Equatable, Sendable {
    /// Bytes of the little-endian length field: 8, 4, or 0 for a transport that keeps
    /// message boundaries itself.
    let lengthSize: Int
    /// Whether the body starts with a kind byte (counted in the length).
    let hasKind: Bool

    /// Frames of a `Connection`: an 8-byte length, then the payload.
    static var connection: FrameHeader { FrameHeader(lengthSize: 8, hasKind: false) }
    /// Frames between a pool and its workers: a 4-byte length, then a kind byte and the rest.
    static var pool: FrameHeader { FrameHeader(lengthSize: 4, hasKind: true) }
    /// Messages between a program and its fork server: one packet each, a kind byte first.
    static var forkServer: FrameHeader { FrameHeader(lengthSize: 0, hasKind: true) }

    /// The largest length the field can carry.
    var maximumLength: UInt64 {
        lengthSize >= 8 ? .max : (1 << UInt64(8 * lengthSize)) - 1
    }

    /// What the front of a byte stream says about the next frame.
    enum Reading: Equatable {
        /// The length field has not fully arrived.
        case incomplete
        /// The body that follows the field has this many bytes (within the limit).
        case length(Int)
        /// The field announces more than the limit: the stream is out of step for good.
        case tooLarge(UInt64)
    }

    /// Reads the length field at the front of `bytes`; a length over `limit` (or over
    /// `Int.max`) is `.tooLarge`, never returned as a length.
    @inline(__always)
    func readLength(from bytes: UnsafeRawBufferPointer, limit: Int) -> Reading {
        guard bytes.count >= lengthSize else { return .incomplete }
        let raw: UInt64
        switch lengthSize {
        case 8: raw = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        case 4: raw = UInt64(UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self)))
        default: preconditionFailure("FrameHeader: a \(lengthSize)-byte length field is not one the library uses")
        }
        guard raw <= UInt64(max(limit, 0)) else { return .tooLarge(raw) }
        return .length(Int(raw))
    }

    /// Writes the length field for a body of `length` bytes at `target` (``lengthSize``
    /// bytes).
    @inline(__always)
    func writeLength(_ length: Int, to target: UnsafeMutableRawPointer) {
        precondition(length >= 0 && UInt64(length) <= maximumLength,
                     "FrameHeader: a body of \(length) bytes does not fit a \(lengthSize)-byte length field")
        switch lengthSize {
        case 8: target.storeBytes(of: UInt64(length).littleEndian, as: UInt64.self)
        case 4: target.storeBytes(of: UInt32(length).littleEndian, as: UInt32.self)
        default: preconditionFailure("FrameHeader: a \(lengthSize)-byte length field is not one the library uses")
        }
    }

    /// A message of a transport that keeps message boundaries (``forkServer``): its kind
    /// byte, to which the sender appends the fields (`appendField`, read with ``FrameFields``).
    func beginMessage(kind: UInt8) -> [UInt8] {
        precondition(lengthSize == 0 && hasKind, "FrameHeader: only a packet framing begins a message with its kind alone")
        return [kind]
    }

    /// The kind byte and the rest of a frame's body; an empty body has kind 0, which no
    /// frame uses, so a reader rejects it like any unknown kind.
    @inline(__always)
    func split(_ body: UnsafeRawBufferPointer) -> (kind: UInt8, rest: UnsafeRawBufferPointer) {
        precondition(hasKind, "FrameHeader: these frames carry no kind byte")
        guard let first = body.first else { return (0, UnsafeRawBufferPointer(start: nil, count: 0)) }
        return (first, UnsafeRawBufferPointer(rebasing: body[1...]))
    }
}
