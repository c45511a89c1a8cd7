import Glibc

/// The numbers of the signals Multitask sends, blocks or reports, so that code above `System/`
/// names them without libc — Python's `signal.SIGKILL` and friends.
///
/// ```swift
/// ProcessControl.sendSignal(Signal.kill, to: pid)
/// ```
enum Signal {
    /// `SIGKILL`: ends the process; it cannot be caught, blocked or ignored.
    static var kill: Int32 { SIGKILL }
    /// `SIGTERM`: asks the process to end (what `Process.terminate()` sends).
    static var terminate: Int32 { SIGTERM }
    /// `SIGINT`: the terminal's Ctrl-C.
    static var interrupt: Int32 { SIGINT }
}
