import Glibc

/// Code run in every fork child, right after `fork` returns there.
enum ForkHooks {
    /// Registers `handler` to run in the child after each `fork` (not after `posix_spawn`,
    /// whose child runs no Swift code). The corresponding C function is `pthread_atfork`.
    static func runInChild(_ handler: @convention(c) () -> Void) {
        let rc = pthread_atfork(nil, nil, handler)
        usageCheck(rc == 0, "pthread_atfork failed: \(rc)")
    }
}
