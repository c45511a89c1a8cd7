import SystemPackage

/// What every child process does, whatever its start method: become its `Process`, run the
/// work, report an uncaught error, wait for its own threads and children, and leave with
/// `_exit` — never returning into the code that created it (for a fork child that code is the
/// parent's supervisor loop; for a re-executed child it is the program's `main`).
enum ChildMain {
    /// The fork path: called in the child, on the copy of the C-only thread that forked it
    /// (``ProcessControl/forkOnCleanThread(_:)``), which carries no runtime state.
    ///
    /// Everything here runs in a copy of a process whose other threads vanished at fork, and
    /// every page it writes is copied: it does the minimum, eagerly, and allocates little.
    static func runForked(_ process: Process, parentPID: Int32, parentName: String) -> Never {
        // The parent flushed stdio just before fork; anything buffered now was written by
        // another parent thread in that instant, and the parent still holds it and will write
        // it. Writing it here too would print it twice.
        ProcessControl.discardStandardStreamBuffers()
        ProcessControl.unblockAllSignals()
        armParentDeathSignal(expectedParent: parentPID)
        // The library's own locks and registries were reset by `AfterFork`, in `fork` itself.
        process.becomeCurrentAfterFork()
        // Forked from a library thread, the child bears that thread's name: take its own, or
        // the parent process's.
        let kernelName = process.kernelNameInForkChild
        KernelName.set(kernelName)
        ProcessSelf.becomeForkChild(
            name: process.name, isDaemon: process.isDaemon, identity: process.identity,
            parentPID: parentPID, parentName: parentName, kernelName: kernelName
        )
        if process.standardInput == .null { redirectStandardInputToNull() }
        ChildExecutor.install()
        run(name: process.name, crashRecord: process.crashRecord) { try process.run() }
    }

    /// The spawn and fork-server path: `payload` came from the parent, with `inherited`, this
    /// process's copies of the descriptors its entry refers to; standard input and the
    /// parent-death signal are already set up. `entryType` is the type the payload names, if
    /// already resolved (by the fork server).
    static func runEntry(_ payload: ChildPayload, entryType: (any ProcessEntry.Type)? = nil, parentDescriptor: ProcessDescriptor?,
                         inherited: [CInt]) -> Never {
        if let name = payload.kernelName { KernelName.set(name) }
        ProcessSelf.becomeChild(
            name: payload.name, isDaemon: payload.isDaemon, startMethod: payload.startMethod,
            identity: payload.identity, parentPID: payload.parentPID, parentName: payload.parentName,
            parentDescriptor: parentDescriptor
        )
        // Decoded first: the entry's decoding closes the passed descriptors.
        let crashRecord = payload.crashRecord(inherited: inherited)
        run(name: payload.name, crashRecord: crashRecord) {
            let entry = try payload.decodeEntry(inherited: inherited, resolved: entryType)
            try entry.run()
        }
    }

    /// Runs the work and exits with 0, or 1 after printing an uncaught error.
    ///
    /// A crash ends the child at once, after writing the signal and Swift's fatal error message
    /// into `crashRecord` for the parent: the library's handler replaces Swift's backtracer
    /// (unless `MULTITASK_SWIFT_BACKTRACE=1`), which takes 0.2–0.5 s, long enough for a task's
    /// timeout to pass first and mask the crash, and starts a `swift-backtrace` helper that
    /// outlives a child killed meanwhile and keeps the program's output open.
    static func run(name: String, crashRecord: CrashRecord?, _ body: () throws -> Void) -> Never {
        CrashHandler.install(recordingInto: crashRecord?.pointer)
        var status: Int32 = 0
        do {
            try body()
        } catch {
            reportUncaught(error, processName: name)
            status = 1
        }
        exit(status)
    }

    /// Python's child epilogue: join non-daemon threads, end our own children (daemons are
    /// terminated, others joined), flush stdio, then `_exit` (no parent exit handlers).
    static func exit(_ status: Int32) -> Never {
        // Only the threads this child started can be listed; skipping the join when there are
        // none avoids registering the calling thread (an allocation per child).
        if let registry = ThreadRegistry.existing, registry.hasStartedThreads { registry.joinNonDaemonThreads() }
        ChildRegistry.shutdown()
        ProcessControl.flushStandardStreams()
        // Last: a fork-server child's joiner, seeing the process end, reads it here instead
        // of waiting for the server's report.
        CrashHandler.recordExit(status)
        ProcessControl.exitImmediately(status)
    }

    /// Python prints the traceback under a `Process NAME:` header; Swift keeps no traceback
    /// for thrown errors, so the header is followed by the error's type and description.
    static func reportUncaught(_ error: any Error, processName: String) {
        ProcessControl.flushStandardStreams()
        writeToStandardError("""
        Process \(processName):
        Uncaught error thrown by run() (Swift records no traceback for thrown errors):
        \(String(reflecting: type(of: error))): \(error)

        """)
    }

    /// `PR_SET_PDEATHSIG(SIGKILL)`, then the race check: if the parent died before the call,
    /// this process was already re-parented and the signal will never come, so die now.
    static func armParentDeathSignal(expectedParent: Int32) {
        try? ProcessControl.setParentDeathSignal(Signal.kill)
        if ProcessControl.parentPID != expectedParent { endAsOrphan() }
    }

    /// Ends a child whose parent is gone the way the parent-death signal would have.
    static func endAsOrphan() -> Never {
        ProcessControl.sendSignal(Signal.kill, to: ProcessIdentity.pid)
        ProcessControl.exitImmediately(128 + Signal.kill)
    }

    /// Called on the forking thread before every `fork`: initialises every lazily initialised
    /// global of the library (``LazyGlobals``), so that none is half-initialised by another
    /// thread at the fork, and each is created once, in the parent, instead of in every child
    /// (`/dev/null`, the child's calls bound, locks made on first use).
    static func prepareParentForFork() {
        initializeLazyGlobals()
        // glibc loads its unwinder on the first backtrace: here, not in a crashing child.
        CrashHandler.prepareBacktrace()
    }

    /// Binds, once, the C calls a child makes after fork (see `cshim_bind_fork_child_calls`).
    static let childCallsBound: Void = CrashHandler.bindForkChildCalls(nullDevice: nullDevice, key: MainThreadLauncher.key)

    /// `/dev/null`, opened once per process (close-on-exec), so that a child needs a single
    /// `dup2`. Opened by a forking thread before `fork`, inherited by every child.
    static let nullDevice: CInt = (try? FileDescriptor.open("/dev/null", .readOnly, options: .closeOnExec).rawValue) ?? -1

    static func redirectStandardInputToNull() {
        if nullDevice >= 0 { _ = try? FileDescriptor(rawValue: nullDevice).duplicate(as: .standardInput) }
    }
}
