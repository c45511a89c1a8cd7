extension Thread {
    /// A function that handles an error thrown by a thread's ``run()``: it is given the
    /// thread and the error.
    public typealias ExceptionHook = @Sendable (_ thread: Thread, _ error: any Error) -> Void

    /// What happens when a thread's ``run()`` (its closure) throws: Python's
    /// `threading.excepthook`, settable for the whole process.
    ///
    /// The hook runs on the thread that threw, after its closure was released and before the
    /// thread counts as ended, so a ``join()`` returns only once the hook has returned. The
    /// default, ``defaultExceptionHook``, prints `Exception in thread NAME: ERROR` on standard
    /// error. A hook is set for threads that throw from then on; an error never stops the
    /// program by itself. Assign ``defaultExceptionHook`` to restore the default.
    ///
    /// ```swift
    /// Thread.exceptionHook = { thread, error in
    ///     log.record("\(thread.name) failed: \(error)")
    /// }
    /// let worker = Thread(name: "loader") { try load("missing.csv") }
    /// worker.start()
    /// worker.join()      // the hook has run by now
    /// ```
    public static var exceptionHook: ExceptionHook {
        get { ThreadRegistry.shared.currentExceptionHook }
        set { ThreadRegistry.shared.currentExceptionHook = newValue }
    }

    /// The hook a program starts with (Python's `threading.__excepthook__`): writes
    /// `Exception in thread NAME: ERROR` and a newline on standard error.
    public static let defaultExceptionHook: ExceptionHook = { thread, error in
        writeToStandardError("Exception in thread \(thread.name): \(error)\n")
    }
}
