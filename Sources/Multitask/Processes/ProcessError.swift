import SystemPackage

/// Why a child process could not be started.
public enum ProcessError: Error, Sendable, CustomStringConvertible {
    /// The operating system refused to create the process (`fork`/`posix_spawn` failed, for
    /// example `EAGAIN` at the process limit or `ENOMEM`).
    case startFailed(Errno)
    /// The fork server could not be started or stopped answering.
    case forkServerUnavailable(String)

    public var description: String {
        switch self {
        case .startFailed(let errno): "could not start the child process: \(errno)"
        case .forkServerUnavailable(let why): "the fork server is unavailable: \(why)"
        }
    }
}
