import CShim
import Glibc
import Synchronization

/// The calling process's id, cached, and whether another process has exited.
enum ProcessIdentity {
    /// `(fork generation << 32) | pid` of the last lookup; refreshed in fork children.
    static let cache = Atomic<UInt64>(0)

    /// The id of the calling process. A load and a compare once cached: lock words that record
    /// their owner read it on every acquisition. The corresponding C function is `getpid`.
    @inline(__always)
    static var pid: Int32 {
        let cached = cache.load(ordering: .relaxed)
        if UInt32(truncatingIfNeeded: cached >> 32) == ForkGeneration.current && UInt32(truncatingIfNeeded: cached) != 0 {
            return Int32(truncatingIfNeeded: cached)
        }
        return refresh()
    }

    @inline(never)
    private static func refresh() -> Int32 {
        let generation = ForkGeneration.current
        let pid = getpid()
        cache.store(UInt64(generation) << 32 | UInt64(UInt32(bitPattern: pid)), ordering: .relaxed)
        return pid
    }

    /// The effective user id of the calling process. The corresponding C function is `geteuid`.
    static var effectiveUser: UInt32 { geteuid() }

    /// The real user id of the calling process (who started it). The corresponding C function
    /// is `getuid`.
    static var realUser: UInt32 { getuid() }

    /// The largest pid Linux hands out (`PID_MAX_LIMIT` on 64-bit systems).
    static let largestPID: Int32 = 1 << 22

    /// Whether process `pid` has exited (a zombie counts as exited) or does not exist.
    /// A number no process can have (0, negative, above ``largestPID``) counts as exited:
    /// it may come from memory another process scribbled on, and `kill(0, 0)` would
    /// otherwise report the caller's own process group as alive.
    ///
    /// Uses a pidfd (`pidfd_open`, then `poll` for readability, which signals exit), falling
    /// back to `kill(pid, 0)` where pidfds are unavailable. A recycled pid reads as alive.
    /// `within`: how long to wait for a process still running to exit (a process killed a
    /// moment ago is still tearing down: its threads exit one by one, its `/proc` entries
    /// vanish first); zero asks once. The fallback never waits.
    static func hasExited(_ pid: Int32, within: Duration = .zero) -> Bool {
        if pid <= 0 || pid > largestPID { return true }
        if pid == ProcessIdentity.pid { return false }
        let fd = cshim_pidfd_open(pid)
        if fd == -ESRCH { return true }
        if fd < 0 { return kill(pid, 0) != 0 && errno == ESRCH }
        defer { _ = Glibc.close(fd) }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Deadline.after(within)
        while true {
            let rc = poll(&entry, 1, Deadline.pollMilliseconds(until: deadline))
            if rc >= 0 { return rc == 1 && entry.revents & Int16(POLLIN) != 0 }
            if errno != EINTR { return false }
        }
    }
}
