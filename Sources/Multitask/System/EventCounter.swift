import CShim
import Glibc
import SystemPackage

/// An eventfd used as a doorbell: `ring()` makes it readable, `drain()` resets it.
struct EventCounter: Sendable {
    let fd: CInt

    /// Creates a non-blocking, close-on-exec eventfd. The corresponding C function is `eventfd`.
    init() throws(Errno) {
        let fd = cshim_eventfd()
        guard fd >= 0 else { throw Errno(rawValue: -fd) }
        self.fd = fd
    }

    /// Adds one to the counter, waking a poller. The corresponding C function is `write`.
    func ring() {
        var one: UInt64 = 1
        while Glibc.write(fd, &one, 8) < 0 && errno == EINTR {}
    }

    /// Resets the counter to zero. The corresponding C function is `read`.
    func drain() {
        var value: UInt64 = 0
        while Glibc.read(fd, &value, 8) < 0 && errno == EINTR {}
    }

    /// Closes the eventfd.
    func close() { _ = Glibc.close(fd) }
}
