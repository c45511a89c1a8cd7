import SystemPackage

/// Why a child process could not be started.
public enum ProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The operating system refused to create the process (`fork`/`posix_spawn` failed, for
    /// example `EAGAIN` at the process limit or `ENOMEM`).
    case startFailed(Errno)
    /// The fork server could not be started or stopped answering.
    case forkServerUnavailable(String)
    /// The entry value holds shared objects (queues, shared locks, shared memory) backed by
    /// more descriptors than one fork-server request can pass (`limit`, the kernel's
    /// `SCM_MAX_FD` less the request's own); use `.spawn` or `.fork`, or fewer objects.
    case tooManyDescriptors(count: Int, limit: Int)
    /// This program runs with elevated privileges (set-user-ID, set-group-ID or file
    /// capabilities). A re-executed copy of such a program never acts as a Multitask child
    /// (it could be made to by whoever starts it), so `.spawn` and `.forkserver` are
    /// unavailable; `.fork` works.
    case elevatedPrivileges

    public var description: String {
        switch self {
        case .startFailed(let errno): "could not start the child process: \(errno)"
        case .forkServerUnavailable(let why): "the fork server is unavailable: \(why)"
        case let .tooManyDescriptors(count, limit):
            "the entry value refers to \(count) shared-memory descriptors; a fork-server start passes at most \(limit)"
        case .elevatedPrivileges:
            "the program runs with elevated privileges (set-user-ID, set-group-ID or capabilities): .spawn and .forkserver children are refused; use .fork"
        }
    }
}
