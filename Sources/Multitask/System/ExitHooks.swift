import Glibc

/// Code run when the process exits normally (`exit` or returning from `main`; not `_exit`,
/// not a fatal signal).
enum ExitHooks {
    /// Registers `handler`. The corresponding C function is `atexit`.
    static func runAtExit(_ handler: @convention(c) () -> Void) {
        let rc = atexit(handler)
        usageCheck(rc == 0, "atexit failed")
    }
}
