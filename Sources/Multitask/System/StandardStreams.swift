import Glibc

/// Descriptors 0, 1 and 2, as a process that hands its standard streams to another sees and
/// sets them.
enum StandardStreams {
    /// What one of descriptors 0, 1, 2 becomes in ``install(_:)``.
    enum Source {
        /// Left as it is.
        case keep
        /// Closed, as it is in the process the streams come from.
        case close
        /// This descriptor (owned by the caller, closed once installed).
        case descriptor(CInt)
    }

    /// Whether descriptor `fd` is open in this process. The corresponding C function is
    /// `fcntl(F_GETFD)`.
    static func isOpen(_ fd: CInt) -> Bool { fcntl(fd, F_GETFD) >= 0 }

    /// Makes descriptors 0, 1 and 2 what `sources` (three of them, in that order) say.
    /// Sources may themselves be among 0, 1 and 2 (a process whose own standard descriptor
    /// was closed receives new descriptors there), so each is first moved above 2. The
    /// corresponding C functions are `fcntl(F_DUPFD_CLOEXEC)`, `dup2` and `close`.
    static func install(_ sources: [Source]) {
        let moved = sources.map { source -> Source in
            guard case .descriptor(let fd) = source, fd <= 2 else { return source }
            return .descriptor(fcntl(fd, F_DUPFD_CLOEXEC, 3))
        }
        for (target, source) in moved.enumerated() {
            switch source {
            case .keep:
                break
            case .close:
                Glibc.close(CInt(target))
            case .descriptor(let fd):
                guard fd >= 0 else { continue }
                dup2(fd, CInt(target))
                Glibc.close(fd)
            }
        }
    }
}
