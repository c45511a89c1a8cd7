import CShim
import Glibc
import SystemPackage

/// One end of a connected `AF_UNIX` `SOCK_SEQPACKET` socket: reliable, ordered messages with
/// boundaries, each able to carry file descriptors (`SCM_RIGHTS`).
struct PacketSocket: Sendable {
    let fd: CInt

    /// A connected pair, both ends close-on-exec. The corresponding C function is `socketpair`.
    static func pair() throws(Errno) -> (PacketSocket, PacketSocket) {
        var fds: [CInt] = [-1, -1]
        let rc = cshim_seqpacket_pair(&fds)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
        return (PacketSocket(fd: fds[0]), PacketSocket(fd: fds[1]))
    }

    /// The most descriptors one message carries (the kernel's `SCM_MAX_FD`).
    static let maximumDescriptors = Int(CSHIM_MAX_PASSED_FDS)

    /// Sends one message with up to ``maximumDescriptors`` descriptors (duplicated into the
    /// receiver). The corresponding C function is `sendmsg`.
    func send(_ bytes: [UInt8], descriptors: [CInt] = []) throws(Errno) {
        let rc = bytes.withUnsafeBytes { raw in
            descriptors.withUnsafeBufferPointer { fds in
                cshim_send_with_fds(fd, raw.baseAddress, raw.count, fds.baseAddress, CInt(fds.count))
            }
        }
        guard rc >= 0 else { throw Errno(rawValue: CInt(-rc)) }
    }

    /// The outcome of ``receive(capacity:nonBlocking:)``.
    enum Received {
        case message([UInt8], descriptors: [CInt])
        /// Non-blocking receive and nothing is waiting.
        case wouldBlock
        /// The other end closed.
        case endOfStream
    }

    /// Receives one message of at most `capacity` bytes and the descriptors attached to it
    /// (close-on-exec). The corresponding C function is `recvmsg`.
    func receive(capacity: Int, nonBlocking: Bool = false) throws(Errno) -> Received {
        var fds = [CInt](repeating: -1, count: Self.maximumDescriptors)
        var count: CInt = 0
        var rc = 0
        // Not zeroed first: the kernel writes the packet, and only its `rc` bytes are kept (a
        // receive buffer of tens of kilobytes zeroed at every poll cost the fork server's client
        // more than the poll itself; measured).
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { raw, initialized in
            rc = cshim_receive_with_fds(fd, raw.baseAddress, raw.count, &fds, CInt(Self.maximumDescriptors), &count, nonBlocking ? 1 : 0)
            initialized = max(rc, 0)
        }
        if rc < 0 {
            if -rc == EAGAIN || -rc == EWOULDBLOCK { return .wouldBlock }
            if -rc == ECONNRESET { return .endOfStream }
            throw Errno(rawValue: CInt(-rc))
        }
        if rc == 0 && count == 0 { return .endOfStream }
        return .message(bytes, descriptors: Array(fds.prefix(Int(count))))
    }

    /// Closes this end. The corresponding C function is `close`.
    func close() { _ = Glibc.close(fd) }
}
