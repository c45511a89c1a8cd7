import CShim
import Glibc
import SystemPackage

/// Calls that act on the calling process itself: identity, `prctl`, descriptors, the signal
/// mask, and leaving.
package enum ProcessControl {
    /// The pid of the caller's parent (the kernel's view). The corresponding C function is `getppid`.
    static var parentPID: pid_t { getppid() }

    /// Asks the kernel to send `signal` to the caller when the thread that created it exits.
    /// The corresponding C function is `prctl(PR_SET_PDEATHSIG)`.
    static func setParentDeathSignal(_ signal: CInt) throws(Errno) {
        let rc = cshim_set_pdeathsig(signal)
        guard rc == 0 else { throw Errno(rawValue: -rc) }
    }

    /// Number of threads of the caller's process, or nil if `/proc` is unavailable.
    static var threadCount: Int? {
        let n = cshim_thread_count()
        return n > 0 ? Int(n) : nil
    }

    /// Returns `fd` renumbered to at least `minimum` (close-on-exec), closing the original;
    /// returns `fd` itself when it is already high enough. The corresponding C function is
    /// `fcntl(F_DUPFD_CLOEXEC)`.
    static func moveDescriptor(_ fd: CInt, atLeast minimum: CInt) throws(Errno) -> CInt {
        if fd >= minimum { return fd }
        let moved = try FileDescriptor(rawValue: fd).duplicateCloseOnExec(atLeast: minimum)
        Glibc.close(fd)
        return moved.rawValue
    }

    /// Makes the kernel keep children's exit statuses: SIGCHLD set to `SIG_IGN` (perhaps
    /// inherited through exec from whoever started the program) or a handler with
    /// `SA_NOCLDWAIT` makes it discard them, so that no exit code could be read. Restores the
    /// default disposition, or clears the flag and keeps the handler. The corresponding C
    /// function is `sigaction(SIGCHLD)`.
    static func keepChildExitStatuses() {
        _ = cshim_restore_child_exit_statuses()
    }

    /// Unblocks every signal for the calling thread (a fork child inherits the mask of the
    /// thread that forked it). The corresponding C function is `pthread_sigmask(SIG_SETMASK)`.
    static func unblockAllSignals() {
        // Zeroed is empty on Linux (all `sigemptyset` does); a fork child calls this first
        // thing, and skipping `sigemptyset` spares it a page fault on that libc code.
        var empty = sigset_t()
        pthread_sigmask(SIG_SETMASK, &empty, nil)
    }

    /// Blocks every signal for the calling thread, so that process-directed signals are
    /// delivered to the program's own threads instead. The corresponding C function is
    /// `pthread_sigmask(SIG_SETMASK)`.
    static func blockAllSignals() {
        var full = sigset_t()
        sigfillset(&full)
        pthread_sigmask(SIG_SETMASK, &full, nil)
    }

    /// Sends `signal` to the process `pid`; `false` if it could not be sent (no such process,
    /// or not permitted). A `signal` of 0 only checks that the process exists. The
    /// corresponding C function is `kill`.
    @discardableResult
    static func sendSignal(_ signal: CInt, to pid: Int32) -> Bool { Glibc.kill(pid, signal) == 0 }

    /// Waits for the child `pid` to end, retrying EINTR, and returns its raw wait status, or
    /// `nil` if it is not (or no longer) a child of the caller. The corresponding C function is
    /// `waitpid`.
    @discardableResult
    static func waitForExit(_ pid: Int32) -> Int32? {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return nil }
        }
        return status
    }

    /// Kills the child `pid` with `SIGKILL` and reaps it: for a child just started that cannot
    /// be watched. The corresponding C functions are `kill` and `waitpid`.
    static func killAndReap(_ pid: Int32) {
        sendSignal(SIGKILL, to: pid)
        waitForExit(pid)
    }

    /// Blocks `signal` for the calling thread (the mask a fork child inherits). The
    /// corresponding C function is `pthread_sigmask(SIG_BLOCK)`.
    static func blockSignal(_ signal: CInt) {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Drops any pending `signal` sent while it was blocked (setting its disposition to
    /// "ignore" discards pending instances), then restores the default disposition. The
    /// corresponding C function is `signal`.
    static func discardPendingSignal(_ signal: CInt) {
        _ = Glibc.signal(signal, SIG_IGN)
        _ = Glibc.signal(signal, SIG_DFL)
    }

    /// Forks the calling process. Returns the child's pid in the parent and 0 in the child.
    /// The corresponding C function is `fork`.
    static func fork() throws(Errno) -> pid_t {
        let pid = Glibc.fork()
        guard pid >= 0 else { throw Errno(rawValue: errno) }
        return pid
    }

    /// Forks on a thread that has only ever run C code while the calling thread waits; in the
    /// child, `child` runs on that thread's copy and never returns. Returns the child's pid.
    ///
    /// The child's only thread then carries no state of the Swift runtime from the parent:
    /// the runtime caches each thread's id for its locks, and a child whose thread is a copy
    /// of one that ran Swift code keeps the parent thread's id, which makes the kernel refuse
    /// that thread's unlocks once a second child thread waits on the same lazy global — a
    /// livelock. The forking thread is created on first use and lives as long as the process,
    /// so a child's parent-death signal is tied to it. The corresponding C function is
    /// `fork`, called by `cshim_fork_on_clean_thread`.
    static func forkOnCleanThread(_ child: @escaping () -> Never) throws(Errno) -> pid_t {
        final class Child {
            let body: () -> Never
            init(_ body: @escaping () -> Never) { self.body = body }
        }
        let box = Child(child)
        let rc = withExtendedLifetime(box) {
            cshim_fork_on_clean_thread({ context in
                Unmanaged<Child>.fromOpaque(context!).takeUnretainedValue().body()
            }, Unmanaged.passUnretained(box).toOpaque())
        }
        guard rc >= 0 else { throw Errno(rawValue: -rc) }
        return rc
    }

    /// Ends the process normally with `status`: `atexit` handlers run and stdio is flushed —
    /// Python's `sys.exit`. The corresponding C function is `exit`.
    static func exit(_ status: Int32) -> Never { Glibc.exit(status) }

    /// Ends the process at once with `status`: no exit handlers, no stdio flush. The
    /// corresponding C function is `_exit`.
    static func exitImmediately(_ status: Int32) -> Never {
        // `_exit` itself is not called: it is lazily bound, and a fork child binding it pays
        // a symbol search (see `cshim_exit_group`).
        cshim_exit_group(status)
    }

    /// Drops unwritten stdout/stderr data without writing it. The corresponding C function is
    /// `__fpurge`.
    static func discardStandardStreamBuffers() {
        cshim_purge_standard_streams()
    }

    /// Flushes every stdio stream. The corresponding C function is `fflush(NULL)`.
    package static func flushStandardStreams() {
        fflush(nil)
    }
}
