
extension Multitask {
    /// Diverts a spawned or fork-server child of this program to its entry; returns at once
    /// in any other process. Call it first thing in `main` — the Swift form of Python's
    /// `if __name__ == '__main__':`.
    ///
    /// With Multitask linked statically (SwiftPM's default) children are diverted even earlier,
    /// by a constructor that runs before `main`, so forgetting this call is harmless there; it
    /// is required when Multitask is built as a shared library.
    public static func bootstrap() {
        ChildBootstrap.run()
    }

    /// The start method for entry values created without one (Python's `set_start_method`).
    /// `.forkserver` unless changed. Set it before the first process starts; changing it
    /// afterwards is a programmer error.
    public static var defaultStartMethod: StartMethod {
        get { DefaultStartMethod.current }
        set { DefaultStartMethod.set(newValue) }
    }

    /// The children started by this process that are still running (Python's
    /// `active_children()`).
    public static func activeChildren() -> [Process] {
        ChildRegistry.active
    }

    /// The process running this code: pid, parent pid, name (Python's `current_process()`).
    public static var currentProcess: CurrentProcess {
        ProcessSelf.snapshot
    }

    /// The process that started this one, or nil in a process not started by Multitask
    /// (Python's `parent_process()`).
    public static var parentProcess: ParentProcess? {
        ProcessSelf.parent
    }

    /// Ends this process with `message` on standard error and exit status 1 (Python's
    /// `sys.exit("message")`). In a child, threads and children are waited for first, as on a
    /// normal end of `run()`; in the main process, exit handlers run as with `exit(1)`.
    public static func exit(_ message: String) -> Never {
        ProcessControl.flushStandardStreams()
        writeToStandardError(message.hasSuffix("\n") ? message : message + "\n")
        exit(1)
    }

    /// Ends this process with `status` (Python's `sys.exit(status)`); the parent sees it as
    /// `exitCode`. In a child it skips the parent's exit handlers (it ends with `_exit` after
    /// waiting for its own threads and children); in the main process it is `exit(status)`.
    public static func exit(_ status: Int32 = 0) -> Never {
        if ProcessSelf.isChild { ChildMain.exit(status) }
        ProcessControl.exit(status)
    }

    /// How long `Process.start()` of a `.forkserver` child waits for the fork server to
    /// answer (default 10 seconds). A server that does not answer in time (stopped with
    /// SIGSTOP, or stuck) is treated as broken: it is killed, with any children it started,
    /// `start()` throws ``ProcessError/forkServerUnavailable(_:)``, and the next start launches
    /// a new server. Must be positive.
    public static var forkServerTimeout: Duration {
        get { ForkServerClient.answerTimeout }
        set { ForkServerClient.answerTimeout = newValue }
    }

    /// Whether forking a multi-threaded process prints a one-time warning on standard error
    /// (default `true`, as CPython 3.12+). Until the program sets it, `MULTITASK_FORK_WARNING=0`
    /// in the environment silences the warning (for a test runner, say, whose tests fork on
    /// purpose while its own threads run).
    public static var warnsOnMultithreadedFork: Bool {
        get { ForkWarning.enabled }
        set { ForkWarning.enabled = newValue }
    }
}
