import Glibc

/// The floor under every fork-based start in a Swift program, next to ``ProcessBenchmark``:
/// this very process calls `fork()`, the child calls `_exit(0)` at once, the parent `waitpid`s
/// (the C peer's `fork_exit_waitpid_latency`, from the Swift program). It pays what any fork of a
/// Swift program pays — copying the page tables of its mappings (the Swift runtime's shared
/// libraries among them) and tearing them down at exit — and nothing the library adds.
public enum ForkPeer {
    /// The time, in microseconds, of one `fork()` + `_exit(0)` in the child + `waitpid`.
    public static func forkExitWaitMicroseconds() -> Double {
        var status: Int32 = 0
        let elapsed = Stopwatch.seconds {
            let pid = fork()
            if pid == 0 { _exit(0) }
            guard pid > 0 else { fatalError("ForkPeer: fork failed: \(String(cString: strerror(errno)))") }
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { fatalError("ForkPeer: waitpid failed: \(String(cString: strerror(errno)))") }
            }
        }
        guard status == 0 else { fatalError("ForkPeer: the child ended with status \(status)") }
        return elapsed * 1e6
    }
}
