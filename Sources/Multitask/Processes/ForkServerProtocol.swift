/// The messages between a program and its fork server, over a `SOCK_SEQPACKET` socket.
///
/// Each message is one packet: a kind byte and little-endian fields, with descriptors attached
/// through `SCM_RIGHTS`. Requests carry the child payload inline when it fits in a packet;
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

    /// Payloads up to this size travel inside the request packet.
    static let inlinePayloadLimit = 60_000
    /// Receive buffer size that holds any message.
    static let maximumSize = inlinePayloadLimit + 64

    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        switch self {
        case let .start(request, inherits, hasParent, passesOutput, passesError, payload):
            out.append(1)
            put(request)
            out.append((inherits ? 1 : 0) | (hasParent ? 2 : 0) | (passesOutput ? 4 : 0) | (passesError ? 8 : 0))
            out.append(contentsOf: payload)
        case let .started(request, pid):
            out.append(2)
            put(request)
            put(pid)
        case let .failed(request, errno):
            out.append(3)
            put(request)
            put(errno)
        case let .exited(pid, code):
            out.append(4)
            put(pid)
            put(code)
        }
        return out
    }

    /// Reads a message; nil if the bytes are not one.
    init?(_ bytes: [UInt8]) {
        var offset = 1
        func get<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard offset + MemoryLayout<T>.size <= bytes.count else { return nil }
            var value: T = 0
            for i in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
            offset += MemoryLayout<T>.size
            return value
        }
        guard let kind = bytes.first else { return nil }
        switch kind {
        case 1:
            guard let request = get(UInt64.self), let flags = get(UInt8.self) else { return nil }
            self = .start(request: request, inheritsStandardInput: flags & 1 != 0, hasParentDescriptor: flags & 2 != 0,
                          passesOutput: flags & 4 != 0, passesError: flags & 8 != 0, payload: Array(bytes[offset...]))
        case 2:
            guard let request = get(UInt64.self), let pid = get(Int32.self) else { return nil }
            self = .started(request: request, pid: pid)
        case 3:
            guard let request = get(UInt64.self), let errno = get(Int32.self) else { return nil }
            self = .failed(request: request, errno: errno)
        case 4:
            guard let pid = get(Int32.self), let code = get(Int32.self) else { return nil }
            self = .exited(pid: pid, code: code)
        default:
            return nil
        }
    }
}
