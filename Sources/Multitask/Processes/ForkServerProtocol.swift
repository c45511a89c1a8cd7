/// The messages between a program and its fork server, over a `SOCK_SEQPACKET` socket.
///
/// Each message is one packet, and the packet is its frame (``FrameHeader/forkServer``): the
/// socket delivers every packet whole, in order, with the descriptors attached to it
/// (`SCM_RIGHTS`), and one receive takes exactly one packet. So there is no length field to
/// read and no frame to collect across reads — the work ``FrameBuffer`` does for byte
/// streams — and a stream would not keep the descriptors with their message. What the frame
/// layer knows still applies: the packet starts with its kind byte
/// (``FrameHeader/beginMessage(kind:)``, ``FrameHeader/split(_:)``) and its fields are
/// little-endian and bounds-checked (``FrameFields``), as in the pool's frames. Requests carry
/// the child payload inline when it fits in a packet (``maximumSize``, the receive buffer);
/// larger payloads travel through a pipe whose read end is attached instead.
enum ForkServerMessage: Equatable {
    /// Program → server: fork a child. Descriptors, in this order: the requester's pidfd (if
    /// `hasParentDescriptor`), its standard input (if `inheritsStandardInput`), its standard
    /// output and error as they are at `start()` (each if `passesOutput`, `passesError`; one
    /// not passed is closed in the requester, and so in the child), the payload pipe (if
    /// `payload` is empty), then the descriptors the entry's shared objects refer to, in slot
    /// order (``ChildPayload/descriptors``).
    case start(request: UInt64, inheritsStandardInput: Bool, hasParentDescriptor: Bool,
               passesOutput: Bool = false, passesError: Bool = false, payload: [UInt8])
    /// Server → program: the child exists; its pidfd is attached.
    case started(request: UInt64, pid: Int32)
    /// Server → program: `fork` failed with `errno`.
    case failed(request: UInt64, errno: Int32)
    /// Server → program: a child ended (reaped by the server) with an exit code or -signal.
    case exited(pid: Int32, code: Int32)

    /// The kind byte that starts each message's packet.
    enum Kind {
        static let start: UInt8 = 1
        static let started: UInt8 = 2
        static let failed: UInt8 = 3
        static let exited: UInt8 = 4
    }

    /// Payloads up to this size travel inside the request packet.
    static let inlinePayloadLimit = 60_000
    /// Receive buffer size that holds any message.
    static let maximumSize = inlinePayloadLimit + 64
    /// Receive buffer size that holds any message the server sends (``started(request:pid:)``,
    /// ``failed(request:errno:)``, ``exited(pid:code:)``: a kind byte and at most 12 bytes of
    /// fields). The program polls for them while it waits for a start; a larger packet from
    /// the server is a broken connection.
    static let replyMaximumSize = 64

    /// The packet for this message: its kind byte, then its fields (``FrameFields``).
    func encoded() -> [UInt8] {
        let framing = FrameHeader.forkServer
        var out: [UInt8]
        switch self {
        case let .start(request, inherits, hasParent, passesOutput, passesError, payload):
            out = framing.beginMessage(kind: Kind.start)
            out.appendField(request)
            out.append((inherits ? 1 : 0) | (hasParent ? 2 : 0) | (passesOutput ? 4 : 0) | (passesError ? 8 : 0))
            out.append(contentsOf: payload)
        case let .started(request, pid):
            out = framing.beginMessage(kind: Kind.started)
            out.appendField(request)
            out.appendField(pid)
        case let .failed(request, errno):
            out = framing.beginMessage(kind: Kind.failed)
            out.appendField(request)
            out.appendField(errno)
        case let .exited(pid, code):
            out = framing.beginMessage(kind: Kind.exited)
            out.appendField(pid)
            out.appendField(code)
        }
        return out
    }

    /// Reads a message; nil if the bytes are not one (every field is bounds-checked).
    init?(_ bytes: [UInt8]) {
        guard let message = bytes.withUnsafeBytes({ Self(packet: $0) }) else { return nil }
        self = message
    }

    private init?(packet: UnsafeRawBufferPointer) {
        guard !packet.isEmpty else { return nil }
        let (kind, body) = FrameHeader.forkServer.split(packet)
        var fields = FrameFields(body)
        switch kind {
        case Kind.start:
            guard let request = fields.read(UInt64.self), let flags = fields.read(UInt8.self) else { return nil }
            self = .start(request: request, inheritsStandardInput: flags & 1 != 0, hasParentDescriptor: flags & 2 != 0,
                          passesOutput: flags & 4 != 0, passesError: flags & 8 != 0, payload: Array(fields.rest))
        case Kind.started:
            guard let request = fields.read(UInt64.self), let pid = fields.read(Int32.self) else { return nil }
            self = .started(request: request, pid: pid)
        case Kind.failed:
            guard let request = fields.read(UInt64.self), let errno = fields.read(Int32.self) else { return nil }
            self = .failed(request: request, errno: errno)
        case Kind.exited:
            guard let pid = fields.read(Int32.self), let code = fields.read(Int32.self) else { return nil }
            self = .exited(pid: pid, code: code)
        default:
            return nil
        }
    }
}
