extension Thread {
    /// The stack size, in bytes, of the threads started from now on without a `stackSize:`
    /// of their own (Python's `threading.stack_size()`); 0, the initial value, leaves it to
    /// the system (the soft `ulimit -s`, usually 8 MiB).
    ///
    /// A size other than 0 must be at least the system's minimum (`PTHREAD_STACK_MIN`,
    /// 16 KiB on x86-64 Linux) and a multiple of the page size; any other value is a
    /// programmer error that stops the program, here and in `Thread(stackSize:)`. Threads
    /// already started keep their stacks. Deep recursion needs a large stack; many idle
    /// threads can do with a small one.
    ///
    /// ```swift
    /// Thread.stackSize = 64 * 1024 * 1024       // 64 MiB for the deeply recursive parser
    /// let parser = Thread { parse(document) }
    /// parser.start()
    /// Thread.stackSize = 0                      // back to the default
    /// ```
    public static var stackSize: Int {
        get { ThreadRegistry.shared.defaultStackSize }
        set {
            checkStackSize(newValue, in: "Thread.stackSize")
            ThreadRegistry.shared.defaultStackSize = newValue
        }
    }

    /// Stops the program unless `size` is 0 or a valid stack size (see ``stackSize``).
    static func checkStackSize(_ size: Int, in operation: String) {
        guard size != 0 else { return }
        let minimum = NativeThread.minimumStackSize, page = MemoryMapping.pageSize
        usageCheck(size >= minimum, "\(operation): a stack of \(size) bytes is below the system's minimum of \(minimum) bytes (PTHREAD_STACK_MIN); use 0 for the default size")
        usageCheck(size % page == 0, "\(operation): a stack of \(size) bytes is not a multiple of the page size (\(page) bytes)")
    }
}
