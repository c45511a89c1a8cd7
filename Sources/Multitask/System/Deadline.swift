import Glibc

/// An absolute instant on `CLOCK_MONOTONIC`, the clock every timed wait in Multitask uses.
///
/// Waits take deadlines rather than durations so that a wait interrupted by a signal or a
/// spurious wake-up resumes with the time that is really left. It is the one timeout type of
/// the library: public `Duration` timeouts become deadlines in ``timeout(_:of:)``, futex waits
/// take them as they are, and `poll`/`epoll` waits convert them in ``pollMilliseconds(until:)``.
@usableFromInline
package struct Deadline: Sendable, Comparable {
    /// The instant as the kernel's absolute `timespec`.
    var timespec: Glibc.timespec

    /// An instant that has always passed: a wait until it does not wait (Python's
    /// `block=False`), and costs no clock read.
    @usableFromInline
    static var immediate: Deadline { Deadline(timespec: Glibc.timespec()) }

    /// The current instant. The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    package static var now: Deadline {
        var ts = Glibc.timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Deadline(timespec: ts)
    }

    /// The instant `duration` from now; a negative duration means now. Public timed calls use
    /// ``timeout(_:of:)`` instead, which refuses negative timeouts.
    static func after(_ duration: Duration) -> Deadline {
        var d = now
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return d }
        let cappedSeconds = min(seconds, Int64(Int32.max))
        var nanoseconds = Int(d.timespec.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var secs = Int(d.timespec.tv_sec) + Int(cappedSeconds)
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            secs += 1
        }
        d.timespec.tv_sec = secs
        d.timespec.tv_nsec = nanoseconds
        return d
    }

    /// The deadline of a public call that waits at most `timeout`: `timeout` from now.
    ///
    /// Every timed call of Multitask converts its timeout here, so that all of them follow one
    /// rule: `.zero` means "do not wait", and a negative timeout is a programmer error that
    /// stops the program with a message naming `operation` (where Python raises `ValueError`).
    @usableFromInline
    static func timeout(_ timeout: Duration, of operation: @autoclosure () -> String) -> Deadline {
        checkTimeout(timeout, of: operation())
        return after(timeout)
    }

    /// Stops the program if `timeout` is negative (the rule of ``timeout(_:of:)``), for a
    /// timeout kept to be used later, such as a default given at creation.
    @inline(__always)
    static func checkTimeout(_ timeout: Duration, of operation: @autoclosure () -> String) {
        if _slowPath(timeout < .zero) { negativeTimeout(timeout, of: operation()) }
    }

    @inline(never)
    private static func negativeTimeout(_ timeout: Duration, of operation: String) -> Never {
        usageFailure("\(operation): the timeout must not be negative (got \(timeout)); pass .zero not to wait")
    }

    /// Nanoseconds since an arbitrary fixed point (boot).
    package var nanoseconds: Int64 { Int64(timespec.tv_sec) * 1_000_000_000 + Int64(timespec.tv_nsec) }

    @usableFromInline
    package static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    @usableFromInline
    package static func == (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds == rhs.nanoseconds }

    /// The `poll`/`epoll_wait` timeout for `deadline`: -1 for none (wait forever), else the
    /// time left rounded up to whole milliseconds (rounding down would spin on the last
    /// fraction).
    static func pollMilliseconds(until deadline: Deadline?) -> CInt {
        guard let deadline else { return -1 }
        let left = max(0, deadline.nanoseconds - Deadline.now.nanoseconds)
        return CInt(min((left + 999_999) / 1_000_000, Int64(CInt.max)))
    }

    /// Whether this instant is in the past.
    var hasPassed: Bool { Deadline.now.nanoseconds >= nanoseconds }

    /// The time left until this instant, zero if it has passed.
    var remaining: Duration { .nanoseconds(max(0, nanoseconds - Deadline.now.nanoseconds)) }

    /// The same instant on `CLOCK_REALTIME`, for the calls that only take that clock
    /// (`pthread_timedjoin_np`): now on that clock plus the time left.
    var realtimeTimespec: Glibc.timespec {
        var ts = Glibc.timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let total = Int64(ts.tv_nsec) + max(0, nanoseconds - Deadline.now.nanoseconds)
        ts.tv_sec += Int(total / 1_000_000_000)
        ts.tv_nsec = Int(total % 1_000_000_000)
        return ts
    }
}
