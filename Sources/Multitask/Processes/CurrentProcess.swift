import SystemPackage

/// A description of the process running this code (Python's `current_process()`).
///
/// In the program's first process the name is `MainProcess`. In a child started by Multitask
/// it is the name of its `Process` object, and ``parentPID`` is the process that called
/// `start()`: the same as `getppid()` for `.fork` and `.spawn`; for `.forkserver`, whose
/// children are forked by the server, `getppid()` is the server and ``parentPID`` is still the
/// process that asked for the child (as Python's `parent_process()` does).
public struct CurrentProcess: Sendable, CustomStringConvertible {
    /// This process's id (`getpid()`).
    public let pid: Int32
    /// The id of the process that started this one.
    public let parentPID: Int32
    /// The name of this process.
    public let name: String
    /// Whether this process is a daemon child (ended when its parent exits).
    public let isDaemon: Bool
    /// How this process was started; nil for a process not started by Multitask.
    public let startMethod: StartMethod?

    public var description: String {
        "<CurrentProcess(\(name), pid \(pid), parent \(parentPID)\(isDaemon ? ", daemon" : ""))>"
    }
}

/// The process that started this one (Python's `parent_process()`); nil in the main process.
///
/// It watches the parent through a pidfd obtained when the child started, so ``isAlive`` and
/// ``join(timeout:)`` cannot be fooled by pid reuse.
public final class ParentProcess: Sendable, CustomStringConvertible {
    /// The parent's process id.
    public let pid: Int32
    /// The parent's name (`MainProcess` for a program's first process).
    public let name: String
    private let descriptor: ProcessDescriptor?
    /// Known to have exited before a pidfd could be opened on it.
    private let isGone: Bool

    init(pid: Int32, name: String, descriptor: ProcessDescriptor?) {
        self.pid = pid
        self.name = name
        self.descriptor = descriptor
        self.isGone = false
    }

    /// The parent of a fork child, which is its kernel parent. Whether the pidfd names it is
    /// checked after opening it: if `pid` is still the caller's parent then, it cannot be
    /// another process with a recycled pid (a child is re-parented when its parent exits).
    init(forkParent pid: Int32, name: String) {
        self.pid = pid
        self.name = name
        let opened = try? ProcessDescriptor.open(pid: pid)
        if let opened, ProcessControl.parentPID == pid {
            descriptor = opened
            isGone = false
        } else {
            opened?.close()
            descriptor = nil
            isGone = true
        }
    }

    /// Whether the parent is still running.
    public var isAlive: Bool {
        if isGone { return false }
        guard let descriptor else { return ProcessControl.sendSignal(0, to: pid) }
        return !descriptor.hasExited
    }

    /// Waits until the parent exits or `timeout` passes; returns whether it exited.
    @discardableResult
    public func join(timeout: Duration) -> Bool {
        let deadline = Deadline.timeout(timeout, of: "ParentProcess.join(timeout:)")
        guard let descriptor else { return !isAlive }
        return descriptor.waitForExit(until: deadline)
    }

    /// A descriptor that becomes readable when the parent exits (a pidfd), for `poll`/`epoll`;
    /// nil if there is none (a fork child's parent that had exited before it was asked for).
    public var sentinel: FileDescriptor? { descriptor?.fileDescriptor }

    public var description: String { "<ParentProcess(\(name), pid \(pid))>" }
}

/// What this process knows about itself: its role, name and parent. Set once at child start.
enum ProcessSelf {
    struct State {
        var name = "MainProcess"
        var isDaemon = false
        var startMethod: StartMethod?
        var identity: [Int] = []
        var childCounter = 0
        var parent: ParentProcess?
        /// A fork child's parent, made into `parent` on first use: most children never ask,
        /// and making it costs the child an allocation and a `pidfd_open`.
        var pendingForkParent: (pid: Int32, name: String)?
        var logicalParentPID: Int32?
        /// The name `ps` shows for this process (see ``kernelName``), once known.
        var kernelName: String?
    }

    /// Who this process is; the lock is forced open in a fork child (a parent thread may
    /// have held it at the fork), which then records who it is (``becomeForkChild``).
    static let state = LockedBox(State(), inForkChild: { _ in })

    /// Whether this process was started by Multitask as a child.
    static var isChild: Bool { state.withLock { $0.startMethod != nil } }

    static var snapshot: CurrentProcess {
        state.withLock { state in
            CurrentProcess(
                pid: ProcessIdentity.pid,
                parentPID: state.logicalParentPID ?? ProcessControl.parentPID,
                name: state.name,
                isDaemon: state.isDaemon,
                startMethod: state.startMethod
            )
        }
    }

    static var parent: ParentProcess? {
        state.withLock { state in
            if let pending = state.pendingForkParent {
                state.parent = ParentProcess(forkParent: pending.pid, name: pending.name)
                state.pendingForkParent = nil
            }
            return state.parent
        }
    }

    /// The name `ps` shows for this process, which its fork children take unless given one of
    /// their own: read once from `/proc`, or known from the start of a fork child.
    static var kernelName: String {
        state.withLock { state in
            if let known = state.kernelName { return known }
            let name = KernelName.ofProcess ?? KernelName.programName ?? ""
            state.kernelName = name
            return name
        }
    }

    /// The identity path of this process (Python's `_identity`), used to name its children.
    static var identity: [Int] { state.withLock { $0.identity } }

    /// The default name of the next child (`Process-3`, or `Process-2:1` in a child) and its
    /// identity.
    static func nextChildIdentity() -> (name: String, identity: [Int]) {
        state.withLock { state in
            state.childCounter += 1
            let identity = state.identity + [state.childCounter]
            return ("Process-" + identity.map(String.init).joined(separator: ":"), identity)
        }
    }

    /// Records who this child is.
    static func becomeChild(
        name: String, isDaemon: Bool, startMethod: StartMethod, identity: [Int],
        parentPID: Int32, parentName: String, parentDescriptor: ProcessDescriptor?
    ) {
        state.withLock { $0 = State(
            name: name, isDaemon: isDaemon, startMethod: startMethod, identity: identity, childCounter: 0,
            parent: ParentProcess(pid: parentPID, name: parentName, descriptor: parentDescriptor),
            logicalParentPID: parentPID
        ) }
    }

    /// ``becomeChild`` for a fork child, whose parent is its kernel parent.
    /// `kernelName` is the name the child just gave itself in the kernel.
    static func becomeForkChild(name: String, isDaemon: Bool, identity: [Int], parentPID: Int32, parentName: String, kernelName: String) {
        state.withLock { $0 = State(
            name: name, isDaemon: isDaemon, startMethod: .fork, identity: identity, childCounter: 0,
            pendingForkParent: (parentPID, parentName), logicalParentPID: parentPID,
            kernelName: KernelName.truncated(kernelName)
        ) }
    }
}
