/// The supervision of a ``Process``: who may use its pidfd and when it is released, and the
/// callbacks of the supervisor thread, the fork-server client and `join` as the child starts
/// and ends.
extension Process {
    /// The pidfd while the child runs, marked in use so that it is not released (and its
    /// number reused) meanwhile; nil once the child ended, or for a fork-server child when
    /// `directChildOnly`. Pair with ``endDescriptorUse(counted:ended:)``. Using a process that
    /// was never started, or from another process than its creator, is a programmer error
    /// (`operation` names the call in the message).
    func beginDescriptorUse(_ operation: String, directChildOnly: Bool = false) -> ProcessDescriptor? {
        state.withLock {
            usageCheck(fields.phase != .created, "Process.\(operation): process '\(fields.name)' was never started")
            usageCheck(creatorPID == ProcessIdentity.pid, "Process.\(operation): only the parent can wait for a child; '\(fields.name)' belongs to process \(creatorPID)")
            guard fields.phase == .started, !(directChildOnly && fields.startMethod == .forkserver), let descriptor = fields.descriptor else { return nil }
            fields.descriptorUsers += 1
            return descriptor
        }
    }

    /// Ends a ``beginDescriptorUse(_:directChildOnly:)`` (`counted`: it returned a
    /// descriptor); `ended` records that the owner saw the child end, as a join does.
    func endDescriptorUse(counted: Bool, ended: Bool = false) {
        state.withLock {
            if counted { fields.descriptorUsers -= 1 }
            if ended { fields.joinedOrClosed = true }
            releaseDescriptorIfUnused()
        }
    }

    /// The supervisor or the fork-server client is done with the pidfd: it may be released.
    func stoppedWatching() {
        state.withLock {
            fields.descriptorUnwatched = true
            releaseDescriptorIfUnused()
        }
    }

    /// Closes the pidfd once the child is finished and joined (or closed) and nothing can use
    /// the descriptor: no joiner polls it, the supervisor no longer watches it (closing it
    /// earlier could let its number be reused by a new child's pidfd while still named
    /// there), and it was not handed out as the sentinel. Called with `state` held.
    func releaseDescriptorIfUnused() {
        guard fields.descriptorReleasedForOwner, fields.descriptorUnwatched, fields.descriptorUsers == 0, let descriptor = fields.descriptor else { return }
        descriptor.close()
        fields.descriptor = nil
    }

    /// The child exists (called on the thread that created it, before it can be reaped).
    func didStart(pid: Int32, descriptor: ProcessDescriptor, method: StartMethod, byMainThread: Bool = false) {
        state.withLock {
            fields.pid = pid
            fields.descriptor = descriptor
            fields.startMethod = method
            fields.forkedByMainThread = byMainThread
        }
    }

    /// The child ended with `code`, as reported by the fork server.
    func didFinish(exitCode code: Int32) {
        finish({ code }, beforeWaking: stoppedWatching)
    }

    /// A fork-server child that ended, or recorded its status on its way out (only `_exit`
    /// follows): finishes it with that status, if it recorded one and the fork-server client
    /// had not reported its end yet (the client then drops the server's report).
    func finishWithRecordedExit() {
        let ended = state.withLock { () -> (pid: Int32, code: Int32)? in
            guard fields.phase == .started, let code = fields.crashRecord?.recordedExit, let pid = fields.pid else { return nil }
            return (pid, code)
        }
        guard let ended, let client = Supervisor.shared.startedForkServerClient, client.claimEnded(self, pid: ended.pid) else { return }
        finish({ ended.code }, beforeWaking: stoppedWatching)
    }

    /// Reaps a child whose pidfd became readable, unless someone else already did. Called by
    /// the supervisor and by `join`, whichever sees the exit first; returns whether the process
    /// is finished. A child not created by this process (a fork-server child whose server
    /// died) is not ours to reap: PR_SET_PDEATHSIG killed it. `beforeWaking` runs if this call
    /// finished the process, before joiners are woken.
    @discardableResult
    func reapIfExited(isDirectChild: Bool, beforeWaking: () -> Void = {}) -> Bool {
        finish({ () -> Int32? in
            guard isDirectChild else { return -Signal.kill }
            guard let descriptor = fields.descriptor else { return nil }
            do {
                return try descriptor.reap(nonBlocking: true)
            } catch {
                // ECHILD: someone else reaped it (a `waitpid(-1)` elsewhere in the program,
                // or SIGCHLD set to SIG_IGN). The status is lost; report it as 255.
                return 255
            }
        }, beforeWaking: beforeWaking)
        return state.withLock { fields.phase == .finished }
    }

    /// Moves to `.finished` with the code `collect` returns (called with the state lock held,
    /// so that exactly one caller collects), runs `beforeWaking`, then wakes joiners and async
    /// waiters.
    private func finish(_ collect: () -> Int32?, beforeWaking: () -> Void) {
        var byMainThread = false
        let waiters = state.withLock { () -> [CheckedContinuation<Int32, Never>]? in
            guard fields.phase == .started, let code = collect() else { return nil }
            fields.exitCode = code
            // Read now, and the record's shared memory given back: the child is gone.
            if code < 0 { fields.crashReport = fields.crashRecord?.read() }
            fields.crashRecord = nil
            fields.phase = .finished
            byMainThread = fields.forkedByMainThread
            defer { fields.exitWaiters = [] }
            return fields.exitWaiters
        }
        guard let waiters, let code = exitCode else { return }
        beforeWaking()
        if byMainThread { MainThreadLauncher.childEnded() }
        ChildRegistry.remove(self)
        finished.set()
        for waiter in waiters { waiter.resume(returning: code) }
    }

    /// In a fork child, this object describes the running process itself. Its lock may have
    /// been copied held by a parent thread.
    func becomeCurrentAfterFork() {
        state.reinitializeAfterFork()
        state.withLock {
            fields.pid = ProcessIdentity.pid
            fields.startMethod = .fork
        }
    }
}
