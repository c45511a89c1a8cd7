import Glibc
@testable import Multitask

/// A bare `fork` for tests that must not go through `Process` (they test what lies beneath
/// it): flush stdio, fork, run `body` in the child with an empty signal mask, `_exit`.
///
/// Same rules as any fork child (`notes/swift-probes.md`): the child must not use Dispatch or
/// async code, and should only run code its parent already ran once.
enum RawFork {
    /// Forks a child that runs `body` and exits with its result; returns the child's pid.
    /// The corresponding C functions are `fork`, `pthread_sigmask` and `_exit`.
    static func start(_ body: () -> Int32) -> Int32 {
        fflush(nil)
        let pid = fork()
        usageCheck(pid >= 0, "fork failed: errno \(errno)")
        if pid == 0 {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            _exit(body())
        }
        return pid
    }

    /// Waits for child `pid`; returns its exit code, or 128 + the signal that killed it.
    /// The corresponding C function is `waitpid`.
    @discardableResult
    static func wait(_ pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            usageCheck(errno == EINTR, "waitpid failed: errno \(errno)")
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
