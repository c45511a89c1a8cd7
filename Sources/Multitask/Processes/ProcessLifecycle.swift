/// The lifecycle of a ``Process``: `start`, `join`, signals, and `close`.
extension Process {
    /// Starts the child process; returns once it exists (``pid`` is set).
    ///
    /// Calling it twice, or in another process than the one that created this object, is a
    /// programmer error, as is an entry type that cannot be named across processes (a
    /// `private` type) with `.spawn` or `.forkserver`. Throws when the system refuses to create
    /// a process.
    ///
    /// Once the child exists, this object drops its closure or entry value, as Python's
    /// `start()` deletes `_target`: references the closure captured are released in the
    /// parent (and a closure that refers to this process no longer keeps it alive). After a
    /// failed start it keeps them, and `start()` may be called again.
    public func start() throws(ProcessError) {
        let (method, work) = state.withLock { () -> (StartMethod, Work) in
            usageCheck(fields.phase == .created, "Process.start(): process '\(fields.name)' was already started")
            usageCheck(creatorPID == ProcessIdentity.pid, "Process.start(): '\(fields.name)' was created by process \(creatorPID); only that process can start it")
            fields.phase = .started
            fields.crashRecord = CrashRecord()
            return (requestedMethod ?? DefaultStartMethod.take(), fields.work)
        }
        if method == .fork {
            let inherited = ProcessSelf.kernelName
            state.withLock { fields.parentKernelName = inherited }
        }
        ChildRegistry.add(self)
        do throws(ProcessError) {
            switch method {
            case .fork:
                try ChildLaunch.fork(self)
            case .spawn, .forkserver:
                guard case .entry(let entry) = work else {
                    usageFailure("Process.start(): '\(name)' overrides run() or has a closure, which needs .fork, not .\(method)")
                }
                let (bytes, descriptors) = makePayload(entry: entry, method: method)
                if method == .spawn {
                    try ChildLaunch.spawn(self, payload: bytes, descriptors: descriptors)
                } else {
                    try Supervisor.shared.forkServerClient().start(self, payload: bytes, descriptors: descriptors)
                }
            }
        } catch {
            ChildRegistry.remove(self)
            state.withLock { fields.phase = .created; fields.crashRecord = nil }
            throw error
        }
        // The child has its own copy; a closure referring to this object would keep it alive.
        state.withLock { self.fields.work = .released }
    }

    /// The serialized payload of `entry` and the descriptors to pass beside it.
    private func makePayload(entry: any ProcessEntry, method: StartMethod) -> (bytes: [UInt8], descriptors: [Int32]) {
        let typeName: String
        switch EntryType.name(of: type(of: entry)) {
        case .success(let name): typeName = name
        case .failure(let problem): usageFailure("Process.start(): \(problem)")
        }
        let me = ProcessSelf.snapshot
        do {
            let payload = try ChildPayload(
                entry: entry, typeName: typeName, name: name, isDaemon: isDaemon, identity: identity,
                startMethod: method, parentPID: me.pid, parentName: me.name, crashRecord: fields.crashRecord,
                descriptorLimit: method == .forkserver ? ForkServerClient.passableDescriptors : .max, kernelName: kernelName
            )
            return (try payload.serialized(), payload.descriptors)
        } catch {
            usageFailure("Process.start(): the entry value of '\(name)' cannot be encoded: \(error)")
        }
    }

    /// Waits until the child ends. Joining a process that was not started, or from another
    /// process than its parent, is a programmer error.
    public func join() { _ = join(until: nil) }

    /// Waits at most `timeout` for the child to end; returns whether it ended.
    @discardableResult
    public func join(timeout: Duration) -> Bool { join(until: .timeout(timeout, of: "Process.join(timeout:)")) }

    private func join(until deadline: Deadline?) -> Bool {
        let descriptor = beginDescriptorUse("join()")
        let ended = startMethod == .forkserver
            ? waitForServerChild(descriptor, until: deadline)
            : waitForEnd(descriptor, until: deadline)
        endDescriptorUse(counted: descriptor != nil, ended: ended)
        return ended
    }

    /// The wait of `join` for a fork-server child (`descriptor`: its pidfd): the status it
    /// recorded on its way out (``ChildMain/exit(_:)``, after all its work, right before
    /// `_exit`) finishes it here — without the server's report, two process hops later, and
    /// without waiting for the kernel to take its address space down (a fifth of a no-op
    /// start and join). While polling, the record is read as it is written; after that, the
    /// end is seen on the pidfd. A child that died of a signal recorded nothing: the server's
    /// report (or, if the server died, the supervisor) finishes it.
    private func waitForServerChild(_ descriptor: ProcessDescriptor?, until deadline: Deadline?) -> Bool {
        if let descriptor {
            let record = state.withLock { fields.crashRecord }
            let seen = descriptor.waitForExit(until: deadline, pollingBudget: Self.exitPollingBudget) {
                record?.recordedExit != nil
            }
            if seen { finishWithRecordedExit() }
        }
        return finished.wait(until: deadline)
    }


    /// The wait of `join`: a direct child (`descriptor`) is waited for on its pidfd and reaped
    /// here, so that its exit wakes this thread directly, not the supervisor thread first.
    private func waitForEnd(_ descriptor: ProcessDescriptor?, until deadline: Deadline?) -> Bool {
        if let descriptor {
            let supervisor = Supervisor.shared
            supervisor.suspendWatch(descriptor)
            let exited = descriptor.waitForExit(until: deadline, pollingBudget: Self.exitPollingBudget)
            if exited && reapIfExited(isDirectChild: true) {
                supervisor.forget(descriptor)
                stoppedWatching()
                return true
            }
            supervisor.resumeWatch(descriptor)
            if !exited { return false }
        }
        return finished.wait(until: deadline)
    }

    /// How long `join` polls a child's pidfd before it sleeps, in nanoseconds (0 on one CPU,
    /// where the child could not run meanwhile). A child that ends within that time is seen at
    /// once; a sleeping joiner is woken tens of microseconds later on a VM, where waking an
    /// idle CPU costs a hypervisor exit (measured on a 2-vCPU VM). The polls yield, so
    /// other runnable threads of this CPU are not held up; a longer child costs at most this
    /// much CPU time.
    static let exitPollingBudget: Int64 = CPU.available > 1 ? 250_000 : 0

    /// Suspends until the child ends and returns its ``exitCode``, without blocking a thread:
    /// the supervisor thread resumes the task when the child is reaped.
    public func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let code = state.withLock { () -> Int32? in
                usageCheck(fields.phase != .created, "Process.waitForExit(): process '\(fields.name)' was never started")
                if let code = fields.exitCode { return code }
                fields.exitWaiters.append(continuation)
                return nil
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    /// Asks the child to stop with SIGTERM (Python's `terminate()`). Does nothing once it ended.
    public func terminate() { send(Signal.terminate) }

    /// Stops the child with SIGKILL, which it cannot catch. Does nothing once it ended.
    public func kill() { send(Signal.kill) }

    /// Sends SIGINT, as Ctrl-C would. Does nothing once it ended.
    public func interrupt() { send(Signal.interrupt) }

    /// Sends `signal` to the child through its pidfd (never to a recycled pid).
    public func send(_ signal: Int32) {
        // Under the lock: the pidfd cannot be released, and its number reused, meanwhile.
        state.withLock {
            usageCheck(fields.phase != .created, "Process: cannot signal '\(fields.name)', it was never started")
            if fields.phase == .started { try? fields.descriptor?.sendSignal(signal) }
        }
    }

    /// Releases what the object holds of the ended child: its pidfd, so ``sentinel`` is `nil`
    /// from now on (Python's `close()`). Other properties (``exitCode``, ``pid``, ``name``)
    /// stay readable, and joining returns at once.
    ///
    /// As in Python, where `close()` raises `ValueError` for a running process, closing a
    /// process whose child is still running is a programmer error: it stops the program with
    /// a message. A child that has ended is collected first, joined or not (its ``exitCode``
    /// is set when `close()` returns). Closing a process that was never started, or twice,
    /// does nothing. A joined process releases its pidfd by itself unless its ``sentinel``
    /// was read, so `close()` is needed only then, or to say so.
    public func close() {
        // Python's `close()` polls the child first: one that ended is collected, not refused.
        if isAlive, let descriptor = beginDescriptorUse("close()") {
            let ended = descriptor.hasExited
            endDescriptorUse(counted: true)
            if ended { join() }
        }
        state.withLock {
            usageCheck(fields.phase != .started, "Process.close(): process '\(fields.name)' is still running; join it first")
            fields.sentinelHandedOut = false
            fields.joinedOrClosed = true
            releaseDescriptorIfUnused()
        }
    }
}
