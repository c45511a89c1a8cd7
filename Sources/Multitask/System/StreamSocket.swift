import CShim
import Glibc
import SystemPackage

/// One end of a connected `AF_UNIX` `SOCK_STREAM` socket: an ordered byte stream with no size
/// limit per write, for callers that frame their own messages and batch many per call.
struct StreamSocket: Sendable {
    let fd: CInt

    /// A connected pair, both ends close-on-exec. The corresponding C function is `socketpair`.
    static func pair() throws(Errno) -> (StreamSocket, StreamSocket) {
        var fds: [CInt] = [-1, -1]
        let kind = CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else { throw Errno(rawValue: errno) }
        return (StreamSocket(fd: fds[0]), StreamSocket(fd: fds[1]))
    }

    /// Whether `fd` is an open stream socket in this process. The corresponding C function is
    /// `getsockopt(SO_TYPE)`.
    static func isStreamSocket(_ fd: CInt) -> Bool {
        var type: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == CInt(SOCK_STREAM.rawValue)
    }

    /// Makes reads and writes on this end return at once instead of blocking. The
    /// corresponding C function is `fcntl(F_SETFL, O_NONBLOCK)`.
    func setNonBlocking() throws(Errno) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw Errno(rawValue: errno) }
    }

    /// The outcome of a read or a write.
    enum Transfer: Equatable {
        /// This many bytes moved (at least one).
        case bytes(Int)
        /// A non-blocking end has nothing to read, or no room to write.
        case wouldBlock
        /// The other end is closed (end of stream, or a write to a closed peer).
        case closed
    }

    /// Reads what is available into `buffer` (blocking until something is, unless
    /// non-blocking). Retries on EINTR. The corresponding C function is `read`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Transfer {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    /// Writes a prefix of `bytes` (all of them, unless non-blocking). Retries on EINTR; a
    /// closed peer gives `.closed` (`MSG_NOSIGNAL`: no SIGPIPE). The corresponding C function
    /// is `send`.
    func write(_ bytes: UnsafeRawBufferPointer) -> Transfer {
        while true {
            let n = send(fd, bytes.baseAddress, bytes.count, CInt(MSG_NOSIGNAL))
            if n > 0 { return .bytes(n) }
            if n == 0 { return .wouldBlock }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    /// Sends all of `bytes`, retrying short writes and `EINTR`; blocks while the socket buffer
    /// is full. The corresponding C function is `send(MSG_NOSIGNAL)`.
    func sendAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, CInt(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            offset += n
        }
    }

    /// Sends all of `bytes` with `descriptor` attached to them (`SCM_RIGHTS`: the receiver
    /// gets its own descriptor for the same file), retrying short writes (the rest goes
    /// without it: the descriptor travels with the first byte) and `EINTR`. The corresponding
    /// C function is `sendmsg(MSG_NOSIGNAL)`.
    func sendAll(_ bytes: UnsafeRawBufferPointer, attaching descriptor: CInt) throws(Errno) {
        var fd = descriptor
        let sent = cshim_send_with_fds(self.fd, bytes.baseAddress, bytes.count, &fd, 1)
        guard sent >= 0 else { throw Errno(rawValue: CInt(-sent)) }
        try sendAll(UnsafeRawBufferPointer(rebasing: bytes[Int(sent)...]))
    }

    /// Receives up to `buffer.count` bytes, retrying `EINTR`, and hands every descriptor that
    /// arrived with them (`SCM_RIGHTS`, made close-on-exec) to `descriptors`, which owns them
    /// from then on. Returns 0 at end of stream and nil when `nonBlocking` and nothing is
    /// waiting. A peer that attached more descriptors than this process can take loses them
    /// all (closed) and this throws `.messageTooLong`: the bytes were consumed all the same.
    /// The corresponding C function is `recvmsg` (with `MSG_DONTWAIT` when `nonBlocking`).
    func receive(
        into buffer: UnsafeMutableRawBufferPointer, nonBlocking: Bool, descriptors: (UnsafeBufferPointer<CInt>) -> Void
    ) throws(Errno) -> Int? {
        try withUnsafeTemporaryAllocation(of: CInt.self, capacity: Int(CSHIM_MAX_PASSED_FDS)) { (fds) throws(Errno) -> Int? in
            var count: CInt = 0
            let n = cshim_receive_with_fds(fd, buffer.baseAddress, buffer.count, fds.baseAddress, CSHIM_MAX_PASSED_FDS, &count, nonBlocking ? 1 : 0)
            if count > 0 { descriptors(UnsafeBufferPointer(rebasing: fds[..<Int(count)])) }
            if n >= 0 { return n }
            switch CInt(-n) {
            case EAGAIN, EWOULDBLOCK: return nil
            case ECONNRESET: return 0
            case let code: throw Errno(rawValue: code)
            }
        }
    }

    /// Ends one direction: `reading` true stops receiving, false stops sending (the peer then
    /// reads end of stream). The corresponding C function is `shutdown`.
    func shutdown(reading: Bool) {
        _ = Glibc.shutdown(fd, CInt(reading ? SHUT_RD : SHUT_WR))
    }

    /// Closes this end. The corresponding C function is `close`.
    func close() { _ = Glibc.close(fd) }
}
