import SystemPackage

/// How a re-executed copy of the program (a `.spawn` child or the fork server) finds its way
/// to its job instead of running the program's `main`.
///
/// The parent starts `/proc/self/exe` with `MULTITASK_CHILD` in the environment and the
/// payload on descriptor 3. A constructor in the C shim sees the variable before `main` runs
/// and calls ``enterChild()``, which never returns. Constructors of the executable run after
/// the Swift runtime registered the executable's types, so entry types resolve there; this
/// works for any `main`, including a test runner's. ``Multitask/bootstrap()`` is therefore
/// only a guard: in a program that links Multitask statically (SwiftPM's default) a child never
/// reaches it; if Multitask is a shared library, whose constructors run before the
/// executable's types are registered, the child waits for `bootstrap()` in `main` instead.
enum ChildBootstrap {
    static let modeVariable = "MULTITASK_CHILD"
    static let parentVariable = "MULTITASK_PARENT_PID"
    /// Set beside `LD_BIND_NOW=1` when the library added that one (the fork server: see
    /// ``ForkServerClient``), so that the process removes both before anything inherits them.
    static let bindNowVariable = "MULTITASK_BIND_NOW"
    /// Descriptor of the payload (spawn) or the request socket (fork server).
    static let channelDescriptor: CInt = 3
    /// Descriptor of the parent's pidfd, when the parent could open one.
    static let parentDescriptor: CInt = 4
    /// Where a spawned child finds the descriptors its entry's handles refer to: slot `i` is
    /// descriptor `firstInheritedDescriptor + i`.
    static let firstInheritedDescriptor: CInt = parentDescriptor + 1

    private enum Pending { case none, spawn(ChildPayload, ProcessDescriptor?), forkServer }
    // nonisolated(unsafe): written and read before `main`, on the only thread the process has then.
    nonisolated(unsafe) private static var pending = Pending.none

    /// Called before `main` (from the C constructor) when `MULTITASK_CHILD` is set. The
    /// claim is checked first (``ChildAdmission``): a process whose claim fails ignores it and
    /// runs `main`, after a one-line note on standard error.
    static func enterChild() {
        guard let mode = Environment.value(modeVariable) else { return }
        let namedParent = Environment.value(parentVariable)
        // The child's own children and programs must not think they are Multitask children.
        Environment.remove(modeVariable)
        Environment.remove(parentVariable)
        if Environment.value(bindNowVariable) != nil {
            // Read by the dynamic linker when it loaded the program; children go without it.
            Environment.remove(bindNowVariable)
            Environment.remove("LD_BIND_NOW")
        }
        let admitted: ChildAdmission.Admitted
        switch ChildAdmission.check(mode: mode, namedParent: namedParent) {
        case .success(let granted):
            admitted = granted
        case .failure(.parentExited):
            ChildMain.endAsOrphan()
        case .failure(let refusal):
            writeToStandardError("Multitask: ignoring \(modeVariable)=\(mode) in process \(ProcessIdentity.pid): \(refusal); running main()\n")
            return
        }
        ChildMain.armParentDeathSignal(expectedParent: admitted.parent)
        // Started from /proc/self/exe, the kernel named this process `exe`: take the
        // program's name, as a copy started from its path would have (a child's own name,
        // when it has one, replaces it in `ChildMain`).
        if let name = KernelName.programName { KernelName.set(name) }
        switch admitted.role {
        case .forkServer:
            pending = .forkServer
        case .spawnChild:
            let parent = (try? FileDescriptor(rawValue: parentDescriptor).setCloseOnExec()) != nil ? ProcessDescriptor(rawValue: parentDescriptor) : nil
            let bytes: [UInt8]
            do {
                bytes = try FileDescriptor(rawValue: channelDescriptor).readToEnd()
            } catch {
                fail("cannot read the start payload from the parent (\(error))")
            }
            FileDescriptor.closeAll([channelDescriptor])
            do {
                pending = .spawn(try ChildPayload(bytes: bytes), parent)
            } catch {
                fail("the start payload from the parent is unreadable (\(error))")
            }
        }
        if canEnterBeforeMain { run() }
        // Multitask is a shared library: the executable's types are not registered yet, so
        // the child waits for `Multitask.bootstrap()` in `main`. If `main` never calls it,
        // say so at exit instead of letting a second copy of the program pass for the child.
        ExitHooks.runAtExit {
            guard ChildBootstrap.isPending else { return }
            writeToStandardError("""
            Multitask: this process (pid \(ProcessIdentity.pid)) was started as a child process, but the \
            program's main() never called Multitask.bootstrap(), so main() ran instead of the \
            child's entry. Call Multitask.bootstrap() first thing in main().

            """)
            ProcessControl.exitImmediately(1)
        }
    }

    private static var isPending: Bool {
        if case .none = pending { return false }
        return true
    }

    /// Runs a pending child; returns only in the program's first process.
    static func run() {
        let job = pending
        pending = .none
        switch job {
        case .none:
            return
        case .forkServer:
            ForkServer.serve(socket: PacketSocket(fd: channelDescriptor))
        case .spawn(let payload, let parent):
            let inherited = (0..<payload.descriptorCount).map { firstInheritedDescriptor + CInt($0) }
            ChildMain.runEntry(payload, parentDescriptor: parent, inherited: inherited)
        }
    }

    /// Whether the types of the executable are registered already: true unless Multitask
    /// itself lives in a shared library (whose constructors run before the executable's).
    private static var canEnterBeforeMain: Bool { !LoadedFile.multitaskIsSharedObject }

    private static func fail(_ message: String) -> Never {
        writeToStandardError("Multitask child \(ProcessIdentity.pid): \(message)\n")
        ProcessControl.exitImmediately(1)
    }
}

/// The symbol the C shim's constructor calls.
@_cdecl("multitask_child_main")
func multitaskChildMain() {
    ChildBootstrap.enterChild()
}
