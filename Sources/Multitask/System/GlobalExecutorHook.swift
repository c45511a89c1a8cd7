import CShim

/// The Swift runtime's hooks for the global executor (`swift_task_enqueueGlobal_hook` and its
/// delayed variants), set through the C shim so that every job goes to one Swift function.
///
/// ```swift
/// GlobalExecutorHook.install { job, delay in /* run job after delay ns */ }
/// ```
enum GlobalExecutorHook {
    /// Routes every job the runtime enqueues on the global executor to `enqueue`, with a delay
    /// in nanoseconds (0: now). The corresponding C function is `cshim_install_global_executor`.
    static func install(_ enqueue: @escaping @convention(c) (UnsafeMutableRawPointer?, UInt64) -> Void) {
        cshim_install_global_executor(enqueue)
    }
}
