import Glibc
import SystemPackage

/// One end of a connected `AF_UNIX` `SOCK_STREAM` socket: a reliable, ordered byte stream in
/// both directions (or one, after ``shutdown(reading:)``).
///
/// Every send uses `MSG_NOSIGNAL`: writing to a peer that has gone returns `EPIPE` instead of
/// raising `SIGPIPE`, which would kill the process.
struct StreamSocket: Sendable {
    let fd: CInt

    /// A connected pair, both ends close-on-exec. The corresponding C function is `socketpair`.
    static func pair() throws(Errno) -> (StreamSocket, StreamSocket) {
        var fds: [CInt] = [-1, -1]
        let rc = socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0, &fds)
        guard rc == 0 else { throw Errno(rawValue: errno) }
        return (StreamSocket(fd: fds[0]), StreamSocket(fd: fds[1]))
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

    /// Receives up to `buffer.count` bytes, retrying `EINTR`. Returns 0 at end of stream and
    /// nil when `nonBlocking` and nothing is waiting. The corresponding C function is `recv`
    /// (with `MSG_DONTWAIT` when `nonBlocking`).
    func receive(into buffer: UnsafeMutableRawBufferPointer, nonBlocking: Bool) throws(Errno) -> Int? {
        let flags = nonBlocking ? CInt(MSG_DONTWAIT) : 0
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, flags)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
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
