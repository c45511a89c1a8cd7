/// The library's process-wide functions and settings (Python's `multiprocessing` module
/// functions, `os.getpid`, `sys.exit`).
///
/// This namespace has the module's name, so `Multitask.X` looks inside it first. The
/// typealiases below keep `Multitask.Process` and `Multitask.Thread` working: that spelling is
/// how a file that also imports Foundation names our `Process` and `Thread`.
public enum Multitask {
    public typealias Process = _MultitaskProcess
    public typealias Thread = _MultitaskThread
}

// Module-level names the namespace's typealiases can point at (inside the enum, `Process`
// would name the typealias itself).
public typealias _MultitaskProcess = Process
public typealias _MultitaskThread = Thread
