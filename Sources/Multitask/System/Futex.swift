import CShim
import Glibc

/// Typed wrappers over the Linux `futex(2)` calls.
///
/// `shared` selects the flavour: `false` adds `FUTEX_PRIVATE_FLAG` (faster, valid only inside
/// one process); `true` must be used for words in memory mapped by several processes.
enum Futex {
    /// Why a wait returned.
    enum WaitResult {
        /// Woken, interrupted, or the word no longer held the expected value: re-check the state.
        case awoke
        /// The deadline passed.
        case timedOut
    }

    /// Sleeps while `*word == expected`, until woken or until `deadline` (nil: forever).
    ///
    /// EINTR and value mismatches are reported as `.awoke`, so callers only loop on their
    /// own condition. The corresponding C call is `futex(FUTEX_WAIT_BITSET)` with an absolute
    /// `CLOCK_MONOTONIC` deadline.
    static func wait(_ word: UnsafeMutablePointer<UInt32>, expected: UInt32, deadline: Deadline?, shared: Bool) -> WaitResult {
        let rc: CInt
        if var ts = deadline?.timespec {
            rc = cshim_futex_wait(word, expected, &ts, shared ? 0 : 1)
        } else {
            rc = cshim_futex_wait(word, expected, nil, shared ? 0 : 1)
        }
        switch -rc {
        case 0, EINTR, EAGAIN: return .awoke
        case ETIMEDOUT: return .timedOut
        default: fatalError("futex wait failed: errno \(-rc) (\(String(cString: strerror(-rc))))")
        }
    }

    /// Wakes up to `count` waiters sleeping on `word`; returns how many were woken.
    ///
    /// The corresponding C call is `futex(FUTEX_WAKE)`.
    @discardableResult
    static func wake(_ word: UnsafeMutablePointer<UInt32>, count: Int32, shared: Bool) -> Int {
        let rc = cshim_futex_wake(word, count, shared ? 0 : 1)
        usageCheck(rc >= 0, "futex wake failed: errno \(-rc)")
        return Int(rc)
    }
}
