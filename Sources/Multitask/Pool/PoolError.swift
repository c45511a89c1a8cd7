/// Why a pool task produced no value.
///
/// In a ``ThreadPool`` errors thrown by the task itself are passed through unchanged; in a
/// process ``Pool`` they come back as ``taskFailed(errorType:description:task:)``. The other
/// cases describe what the pool did to the task.
public enum PoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `get(timeout:)` gave up waiting; the task may still finish later.
    case timedOut
    /// The task was submitted after `close()` or `terminate()`.
    case closed
    /// `terminate()` discarded the task before it ran (or killed its worker while it ran).
    case terminated
    /// The awaiting Swift task was cancelled before the pool task started.
    case cancelled
    /// The worker process running `task` died: killed by `signal` (SIGKILL from the OOM
    /// killer or a user, SIGILL/SIGTRAP from a Swift trap, SIGSEGV, …) or left with
    /// `exitCode` (a task that called `exit`). The pool replaced the worker and went on.
    /// `report` holds what the worker recorded when the signal hit it: for a Swift trap, the
    /// runtime's message (`Fatal error: …`); nil for an exit or a signal that cannot be
    /// caught (SIGKILL).
    case workerCrashed(signal: Int32?, exitCode: Int32?, task: String, report: CrashReport?)
    /// `task` ran longer than its `timeout`; its worker was killed and replaced.
    case taskTimedOut(timeout: Duration, task: String)
    /// `task` threw an error of type `errorType` in the worker; `description` is the error's
    /// `String(describing:)`.
    case taskFailed(errorType: String, description: String, task: String)
    /// `count` worker processes in a row ended before they could run a task — the last
    /// killed by `signal` or left with `exitCode`: an initializer that crashes or exits, a
    /// worker that could not set itself up (its standard error says why). Where CPython's
    /// pool starts such workers forever and its tasks never end, queued tasks fail with this
    /// error; the pool keeps trying to start workers, less and less often (up to every 10 s).
    case workersCannotStart(count: Int, signal: Int32?, exitCode: Int32?)

    /// A sentence saying what happened.
    public var description: String {
        switch self {
        case .timedOut: "timed out waiting for the task's result"
        case .closed: "the pool is closed: it accepts no new tasks"
        case .terminated: "the pool was terminated before the task finished"
        case .cancelled: "the awaiting task was cancelled before the pool task started"
        case let .workerCrashed(signal, exitCode, task, report):
            if let report, signal != nil {
                "the worker process running \(task) crashed with \(report)"
            } else if let signal {
                "the worker process running \(task) was killed by signal \(signal) (\(SignalName.of(signal)))"
            } else {
                "the worker process running \(task) exited with code \(exitCode ?? -1) before the task finished"
            }
        case let .taskTimedOut(timeout, task): "\(task) ran longer than its timeout of \(timeout); its worker was killed"
        case let .taskFailed(errorType, description, task): "\(task) threw \(errorType): \(description)"
        case let .workersCannotStart(count, signal, exitCode):
            if let signal {
                "\(count) worker processes in a row died before running a task (the last killed by signal \(signal) (\(SignalName.of(signal))))"
            } else {
                "\(count) worker processes in a row died before running a task (the last exited with code \(exitCode ?? -1)); see their standard error"
            }
        }
    }
}
