import CShim
import Glibc
import SystemPackage

/// A pidfd: a file descriptor that refers to one process for as long as it is open.
///
/// Unlike a pid it cannot be recycled, so signals sent through it never reach a stranger, and
/// it becomes readable when the process exits (for any process, not only children), so it can
/// be watched with `poll`/`epoll`.
struct ProcessDescriptor: RawRepresentable, Hashable, Sendable {
    var rawValue: CInt
    init(rawValue: CInt) { self.rawValue = rawValue }

    /// The descriptor as a swift-system value.
    var fileDescriptor: FileDescriptor { FileDescriptor(rawValue: rawValue) }

    /// Opens a descriptor for process `pid`. The corresponding C function is `pidfd_open`.
    static func open(pid: pid_t) throws(Errno) -> ProcessDescriptor {
        let fd = cshim_pidfd_open(pid)
        guard fd >= 0 else { throw Errno(rawValue: -fd) }
        return ProcessDescriptor(rawValue: fd)
    }

    /// Sends `signal` to the process. The corresponding C function is `pidfd_send_signal`.
    func sendSignal(_ signal: CInt) throws(Errno) {
        let rc = cshim_pidfd_send_signal(rawValue, signal)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
    }

    /// Reaps the process, which must be a child of the caller. Returns its exit status
    /// (`-N` when killed by signal N), or nil when `nonBlocking` and it is still running.
    /// The corresponding C function is `waitid(P_PIDFD)`.
    func reap(nonBlocking: Bool) throws(Errno) -> Int32? {
        var code: CInt = 0
        while true {
            let rc = cshim_wait_pidfd(rawValue, nonBlocking ? 1 : 0, &code)
            if rc == 1 { return code }
            if rc == 0 { return nil }
            if -rc == EINTR { continue }
            throw Errno(rawValue: -rc)
        }
    }

    /// Waits until the process has exited or `deadline` passes; returns whether it exited.
    /// With a `pollingBudget` (nanoseconds), it first polls without sleeping for that long,
    /// yielding the CPU between polls; `isDone`, checked at each poll, ends the wait early
    /// (true is returned) when it holds. The corresponding C function is `poll`.
    func waitForExit(until deadline: Deadline?, pollingBudget: Int64 = 0, isDone: () -> Bool = { false }) -> Bool {
        if pollingBudget > 0 && pollForExit(budget: pollingBudget, deadline: deadline, isDone: isDone) { return true }
        var entry = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let timeout: CInt
            if let deadline {
                let left = deadline.remaining
                let ms = left.components.seconds * 1000 + (left.components.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
                timeout = CInt(clamping: ms)
            } else {
                timeout = -1
            }
            let rc = poll(&entry, 1, timeout)
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { return false }
        }
    }

    /// Polls `isDone` and ``hasExited`` until one holds or `budget` nanoseconds (or
    /// `deadline`) pass, letting any other runnable thread of this CPU go first between polls.
    private func pollForExit(budget: Int64, deadline: Deadline?, isDone: () -> Bool) -> Bool {
        var end = Deadline.now.nanoseconds + budget
        if let deadline { end = min(end, deadline.nanoseconds) }
        repeat {
            if isDone() || hasExited { return true }
            CPU.yield()
        } while Deadline.now.nanoseconds < end
        return isDone() || hasExited
    }

    /// Whether the process has exited (the descriptor is readable).
    var hasExited: Bool {
        var entry = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// Closes the descriptor. The corresponding C function is `close`.
    func close() { _ = Glibc.close(rawValue) }
}
