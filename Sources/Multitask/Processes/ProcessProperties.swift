import SystemPackage

/// The properties of a ``Process``: its name, settings, and what is known of its child.
extension Process {
    /// The process name, shown in error reports and in ``Multitask/currentProcess`` of the child.
    ///
    /// A name the program chose (given at creation, or set here before ``start()``) is also
    /// the child's name in the kernel, so `ps`, `pstree`, `top` and `/proc/PID/comm` show it,
    /// cut to 15 bytes. A child with the default name (`Process-N`) keeps the program's name
    /// there, as a Python child does.
    public var name: String {
        get { state.withLock { fields.name } }
        set { state.withLock { fields.name = newValue; fields.nameIsChosen = true } }
    }

    /// The name the child takes in the kernel: the chosen name, or nil for the default.
    var kernelName: String? { state.withLock { fields.nameIsChosen ? fields.name : nil } }

    /// The name a fork child takes in the kernel: its chosen name, else its parent's.
    var kernelNameInForkChild: String { state.withLock { fields.nameIsChosen ? fields.name : fields.parentKernelName } }

    /// Whether the child is ended (SIGTERM) when the program exits, instead of waited for.
    /// Set it before ``start()``.
    public var isDaemon: Bool {
        get { state.withLock { fields.isDaemon } }
        set { changeBeforeStart("isDaemon") { $0.isDaemon = newValue } }
    }

    /// The child's standard input: `/dev/null` (default) or the parent's. Set it before ``start()``.
    public var standardInput: ChildStandardInput {
        get { state.withLock { fields.standardInput } }
        set { changeBeforeStart("standardInput") { $0.standardInput = newValue } }
    }

    /// Applies `change` to the fields under the lock; changing `property` after ``start()`` is a
    /// programmer error.
    private func changeBeforeStart(_ property: String, _ change: (inout Fields) -> Void) {
        state.withLock {
            usageCheck(fields.phase == .created, "Process.\(property): cannot change it after start() ('\(fields.name)')")
            change(&fields)
        }
    }

    /// The child's process id, once started.
    public var pid: Int32? { state.withLock { fields.pid } }

    /// The start method used, once started.
    public var startMethod: StartMethod? { state.withLock { fields.startMethod } }

    /// `nil` while running (or not started), else the exit status or `-signal`.
    public var exitCode: Int32? { state.withLock { fields.exitCode } }

    /// What the child recorded when a fatal signal ended it: the signal and, for a Swift trap,
    /// the runtime's message (`Fatal error: …`). `nil` while it runs, when it ended otherwise
    /// (an exit, or a signal it could not catch such as SIGKILL), and when it ran with
    /// `MULTITASK_SWIFT_BACKTRACE=1` (Swift's backtracer then handles the crash).
    public var crashReport: CrashReport? { state.withLock { fields.crashReport } }

    /// Whether the running child has begun recording a crash: it is dying of a fatal signal.
    var isCrashing: Bool { state.withLock { fields.phase == .started && fields.crashRecord?.isWritten == true } }

    /// Whether the child was started and has not ended yet.
    public var isAlive: Bool { state.withLock { fields.phase == .started } }

    /// A descriptor that becomes readable when the child ends (a pidfd), for `poll`/`epoll`
    /// loops or an event library (Python's `sentinel`).
    ///
    /// `nil` before ``start()`` and after ``close()``. Once read, it stays valid until
    /// ``close()`` or until this object goes away. A process whose sentinel was not read
    /// before a ``join()`` that saw the child end releases its pidfd then, so joined `Process`
    /// objects kept around hold no descriptors; `nil` then too.
    public var sentinel: FileDescriptor? {
        state.withLock {
            // Released for the owner even while the supervisor still names it in its epoll
            // set (it is closed when the supervisor lets go, moments later).
            guard !fields.descriptorReleasedForOwner, let descriptor = fields.descriptor else { return nil }
            fields.sentinelHandedOut = true
            return descriptor.fileDescriptor
        }
    }

    /// The pidfd, for the library's own watching (does not count as handing out the sentinel).
    var watchableDescriptor: ProcessDescriptor? { state.withLock { fields.descriptor } }
}

extension Process: CustomStringConvertible {
    /// `<Process(name, started daemon pid=1234)>`, `<Process(name, stopped exitcode=-15)>`.
    public var description: String {
        state.withLock {
            let status = switch fields.phase { case .created: "initial"; case .started: "started"; case .finished: "stopped" }
            var text = "<Process(\(fields.name), \(status)"
            if fields.isDaemon { text += " daemon" }
            if let pid = fields.pid { text += " pid=\(pid)" }
            if let code = fields.exitCode { text += " exitcode=\(code)" }
            return text + ")>"
        }
    }
}
