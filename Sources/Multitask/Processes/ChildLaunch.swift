import SystemPackage

/// Creating a child with `.fork` or `.spawn`, on a thread that lives as long as the process.
///
/// Every child gets `PR_SET_PDEATHSIG(SIGKILL)`: daemon or not, a child must not outlive a
/// parent that crashed or was killed (at a normal exit the parent joins non-daemon children
/// first, so the signal never fires for them). The signal follows the creating thread: a
/// `.fork` child is forked by the C-only thread of ``ProcessControl/forkOnCleanThread(_:)``,
/// which never exits, at the request of the main thread or the supervisor thread; `.spawn`
/// children are started on the supervisor thread, which never exits either.
enum ChildLaunch {
    /// Forks `process`; the child runs `process.run()` and `_exit`s.
    static func fork(_ process: Process) throws(ProcessError) {
        let supervisor = Supervisor.shared
        let failure: ProcessError?
        if MainThreadLauncher.isOnMainThread {
            MainThreadLauncher.willFork()
            failure = forkHere(process, supervisor: supervisor, byMainThread: true)
            if failure != nil { MainThreadLauncher.childEnded() }
        } else {
            failure = supervisor.perform { forkHere(process, supervisor: supervisor, byMainThread: false) }
        }
        if let failure { throw failure }
        // After the fork, as CPython does: the child is starting meanwhile on another CPU.
        ForkWarning.checkAfterFork()
    }

    /// The fork itself, requested by the main thread or the supervisor thread.
    private static func forkHere(_ process: Process, supervisor: Supervisor, byMainThread: Bool) -> ProcessError? {
        let parentPID = ProcessIdentity.pid
        let parentName = ProcessSelf.snapshot.name
        ChildMain.prepareParentForFork()
        // Anything buffered now would be written again by the child's final flush.
        ProcessControl.flushStandardStreams()
        let pid: Int32
        do throws(Errno) {
            // From a thread that never ran Swift code, while this one waits in C: the child's
            // thread has no stale runtime state (see forkOnCleanThread).
            pid = try ProcessControl.forkOnCleanThread {
                ChildMain.runForked(process, parentPID: parentPID, parentName: parentName)
            }
        } catch {
            return .startFailed(error)
        }
        return adopt(pid: pid, process: process, method: .fork, supervisor: supervisor, byMainThread: byMainThread)
    }

    /// Starts a fresh copy of this executable that runs the entry described by `payload`,
    /// passing `descriptors` (the entry's shared objects) as descriptors
    /// ``ChildBootstrap/firstInheritedDescriptor`` and up, in order.
    static func spawn(_ process: Process, payload: [UInt8], descriptors: [CInt]) throws(ProcessError) {
        let supervisor = Supervisor.shared
        let inheritStandardInput = process.standardInput == .inherit
        let failure: ProcessError? = supervisor.perform {
            // Every source of a dup2 sits above the targets (3, 4 and the inherited range), so
            // no dup2 overwrites a source still to be copied, and none is `dup2(fd, fd)`, which
            // would keep close-on-exec set.
            let firstFree = ChildBootstrap.firstInheritedDescriptor + CInt(descriptors.count)
            var sources: [CInt] = []
            defer { FileDescriptor.closeAll(sources) }
            // The payload travels on a socket pair made here: its kernel-recorded creator (this
            // process) is what the child checks before it trusts the payload (ChildAdmission).
            let channel: (mine: FileDescriptor, theirs: FileDescriptor)
            do throws(Errno) {
                for fd in descriptors {
                    sources.append(try FileDescriptor(rawValue: fd).duplicateCloseOnExec(atLeast: firstFree).rawValue)
                }
                let created = try StreamSocket.pair()
                let theirs = try ProcessControl.moveDescriptor(created.1.fd, atLeast: firstFree)
                channel = (FileDescriptor(rawValue: created.0.fd), FileDescriptor(rawValue: theirs))
            } catch {
                return .startFailed(error)
            }
            var request: Spawn
            do throws(ProcessError) {
                request = try childProgram(mode: "spawn")
            } catch {
                _ = try? channel.theirs.close()
                _ = try? channel.mine.close()
                return error
            }
            request.fileActions.append(.duplicate(channel.theirs.rawValue, to: ChildBootstrap.channelDescriptor))
            if let parent = supervisor.selfDescriptor {
                request.fileActions.append(.duplicate(parent.rawValue, to: ChildBootstrap.parentDescriptor))
            }
            for (slot, source) in sources.enumerated() {
                request.fileActions.append(.duplicate(source, to: ChildBootstrap.firstInheritedDescriptor + CInt(slot)))
            }
            if !inheritStandardInput {
                request.fileActions.append(.readOnly("/dev/null", at: 0))
            }
            request.fileActions.append(.closeFrom(firstFree))
            let pid: Int32
            do throws(Errno) {
                pid = try request.run()
            } catch {
                _ = try? channel.theirs.close()
                _ = try? channel.mine.close()
                return .startFailed(error)
            }
            _ = try? channel.theirs.close()
            if let failure = adopt(pid: pid, process: process, method: .spawn, supervisor: supervisor) {
                _ = try? channel.mine.close()
                return failure
            }
            // This thread blocks every signal, so a child that died early gives EPIPE here,
            // not a SIGPIPE that would kill the parent; the child then reports its own failure.
            _ = try? channel.mine.writeAll(bytes: payload)
            _ = try? channel.mine.close()
            return nil
        }
        if let failure { throw failure }
    }

    /// The `posix_spawn` request that restarts this executable as a Multitask child. The
    /// channel (fd 3) and parent pidfd (fd 4) are dup2'ed into place; the sources are moved
    /// above 4 first, since `dup2(fd, fd)` would leave the close-on-exec flag set.
    ///
    /// Throws ``ProcessError/elevatedPrivileges`` in a privileged program, whose copies refuse
    /// to act as children (see ``ChildAdmission``).
    static func childProgram(mode: String) throws(ProcessError) -> Spawn {
        guard !ExecutionPrivilege.isElevated else { throw .elevatedPrivileges }
        var environment = Environment.entries.filter {
            !$0.hasPrefix(ChildBootstrap.modeVariable + "=") && !$0.hasPrefix(ChildBootstrap.parentVariable + "=")
        }
        environment.append("\(ChildBootstrap.modeVariable)=\(mode)")
        environment.append("\(ChildBootstrap.parentVariable)=\(ProcessIdentity.pid)")
        return Spawn(path: "/proc/self/exe", arguments: CommandLine.arguments, environment: environment)
    }

    /// Opens the pidfd of a child just created, records it and starts watching it. The child
    /// cannot have been reaped yet: the library reaps only children it watches.
    static func adopt(
        pid: Int32, process: Process, method: StartMethod, supervisor: Supervisor, byMainThread: Bool = false
    ) -> ProcessError? {
        do throws(Errno) {
            let descriptor = try ProcessDescriptor.open(pid: pid)
            process.didStart(pid: pid, descriptor: descriptor, method: method, byMainThread: byMainThread)
            supervisor.watch(process, descriptor: descriptor)
            return nil
        } catch {
            ProcessControl.killAndReap(pid)
            return .startFailed(error)
        }
    }
}
