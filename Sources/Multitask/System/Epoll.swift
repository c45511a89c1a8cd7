import CShim
import SystemPackage

/// An epoll instance watching descriptors for readability, each with a caller-chosen tag.
///
/// Only level-triggered `EPOLLIN` is used: the supervisor wants to know "this pidfd or socket
/// has something", and re-checks state itself.
struct Epoll: Sendable {
    let fd: CInt

    /// Creates the instance (close-on-exec). The corresponding C function is `epoll_create1`.
    init() throws(Errno) {
        let fd = cshim_epoll_create()
        guard fd >= 0 else { throw Errno(rawValue: -fd) }
        self.fd = fd
    }

    /// Starts watching `descriptor` for readability. The corresponding C function is
    /// `epoll_ctl(EPOLL_CTL_ADD)`.
    func add(_ descriptor: CInt, tag: UInt64) throws(Errno) {
        let rc = cshim_epoll_add(fd, descriptor, tag)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
    }

    /// Changes what `descriptor` is watched for: readability always, writability too when
    /// `writable` (for a non-blocking writer with unsent bytes). The corresponding C function
    /// is `epoll_ctl(EPOLL_CTL_MOD)`.
    func modify(_ descriptor: CInt, tag: UInt64, writable: Bool) throws(Errno) {
        let rc = cshim_epoll_modify(fd, descriptor, tag, writable ? 1 : 0)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
    }

    /// Stops watching `descriptor`. The corresponding C function is `epoll_ctl(EPOLL_CTL_DEL)`.
    func remove(_ descriptor: CInt) {
        _ = cshim_epoll_remove(fd, descriptor)
    }

    /// Waits for readiness and returns the tags of ready descriptors (empty on timeout or
    /// interruption). `timeoutMilliseconds` -1 waits forever. The corresponding C function is
    /// `epoll_wait`.
    func wait(timeoutMilliseconds: CInt = -1) -> [UInt64] {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 64) { tags in
            let n = cshim_epoll_wait(fd, tags.baseAddress!, 64, timeoutMilliseconds)
            return n > 0 ? Array(tags.prefix(Int(n))) : []
        }
    }

    /// Closes the instance.
    func close() { _ = try? FileDescriptor(rawValue: fd).close() }
}
