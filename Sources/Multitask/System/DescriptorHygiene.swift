import Glibc
import SystemPackage

extension FileDescriptor {
    /// Closes each of the raw descriptors `descriptors`, ignoring errors (a descriptor that is
    /// already closed, or `EINTR`, after which Linux has closed it anyway). The corresponding
    /// C function is `close`.
    ///
    /// ```swift
    /// FileDescriptor.closeAll(received)   // descriptors a message brought, not wanted
    /// ```
    static func closeAll<Descriptors: Sequence<CInt>>(_ descriptors: Descriptors) {
        for fd in descriptors { _ = Glibc.close(fd) }
    }

    /// Marks the descriptor close-on-exec, so that a program this process `exec`s does not
    /// inherit it. The corresponding C function is `fcntl(F_SETFD, FD_CLOEXEC)`.
    func setCloseOnExec() throws(Errno) {
        guard fcntl(rawValue, F_SETFD, FD_CLOEXEC) == 0 else { throw Errno(rawValue: errno) }
    }
}
