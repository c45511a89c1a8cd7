import Glibc

/// Waiting for several descriptors to become readable at once.
enum Poll {
    /// For each of `descriptors`, whether it is readable, at end of stream or in error. Waits
    /// until at least one is or `deadline` passes (nil: forever); `EINTR` resumes with the time
    /// left. The corresponding C function is `poll`.
    static func readable(_ descriptors: [CInt], until deadline: Deadline?) -> [Bool] {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            let rc = poll(&entries, nfds_t(entries.count), Deadline.pollMilliseconds(until: deadline))
            if rc > 0 { return entries.map { $0.revents != 0 } }
            if rc < 0 {
                usageCheck(errno == EINTR || errno == ENOMEM, "poll failed: errno \(errno)")
            }
            if rc == 0, let deadline, deadline.hasPassed { return entries.map { _ in false } }
        }
    }
}
