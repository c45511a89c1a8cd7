/// The five states of the classic process model: new, ready, running, waiting, terminated.
///
/// Linux reports a finer one-letter state (``KernelState``); ``KernelState/processState``
/// maps every letter onto this model:
///
/// | Kernel letter | Meaning | Five-state |
/// |---|---|---|
/// | `R` | running, or runnable and queued for a CPU | ``running`` |
/// | `W` | waking (kernels 2.6.33–3.13) | ``ready`` |
/// | `S` | interruptible sleep (waiting for an event) | ``waiting`` |
/// | `D` | uninterruptible sleep (usually I/O) | ``waiting`` |
/// | `I` | idle kernel thread | ``waiting`` |
/// | `T` | stopped by a signal (job control) | ``waiting`` |
/// | `t` | stopped by a debugger (tracing stop) | ``waiting`` |
/// | `P` | parked kernel thread | ``waiting`` |
/// | `K` | wake-kill sleep (kernels 2.6.33–3.13) | ``waiting`` |
/// | `Z` | zombie: exited, not yet reaped by its parent | ``terminated`` |
/// | `X` | dead, being removed | ``terminated`` |
/// | `x` | dead (kernels 2.6.33–3.13) | ``terminated`` |
///
/// Linux does not tell a process on a CPU from one waiting in a run queue: both are `R`, which
/// `ps` documents as "running or runnable". A snapshot therefore reports them as ``running``,
/// and ``ready`` only for `W`. No letter means ``new``: a child becomes visible in `/proc` only
/// once `fork` has finished, already runnable.
public enum ProcessState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Being created: resources are being set up and it cannot run yet.
    case new
    /// Able to run and waiting to be given a CPU.
    case ready
    /// Running on a CPU (on Linux: running or runnable, see the table above).
    case running
    /// Blocked: waiting for an event, I/O, a signal or a debugger before it can run again.
    case waiting
    /// Finished: it has exited and its resources are released or about to be.
    case terminated

    /// The state's name, as in the table above.
    public var description: String { rawValue }
}
