import CShim

/// The one place where the library's state is reset in a fork child.
///
/// A fork child has a single thread, a copy of the forking one; every other parent thread is
/// gone, with whatever it held (a lock) or ran (the supervisor, a pool's dispatcher). Each
/// piece of process-wide state that a parent thread may hold or own at a fork registers a
/// reset here, once, in the parent. The resets run in **every** fork child — the library's
/// own forks and a program's `fork()` alike — from the C shim's one `pthread_atfork` child
/// handler, right after `fork` returns there, before any other code of the child: a child
/// that goes on to use the library needs them whoever forked it, and one that calls `exec`
/// loses nothing. (`posix_spawn` children run no handlers; they start fresh.)
///
/// The rule for what goes where:
/// - **Registered here**: process-wide state a parent thread may hold or own at the fork —
///   locks of registries (forced open), and what describes the parent's threads and children
///   (the supervisor, the child table, the thread registry), forgotten.
/// - **Checked on use, by ``ForkGeneration``**: state kept per object or per thread, too much
///   to reset eagerly (the deadlock detector's per-thread records, a cached pid).
/// - **Set by the child's start** (`ChildMain`): who the child is (its `Process`, name,
///   parent), which only a library child knows.
///
/// A reset runs on a thread with no Swift runtime state of its own in a process where other
/// threads vanished mid-operation: it must not allocate, take a lock other than the one it
/// forces open, or start threads, and should write only what differs from the reset value
/// (every page a fork child writes is copied). Registrations are for the life of the process
/// (at most `CSHIM_AFTER_FORK_CAPACITY`), so only process-wide state registers — a
/// `static let` (listed in `LazyGlobals`, which initialises it before each fork) or a
/// singleton.
enum AfterFork {
    /// Registers `reset` to run in every fork child from now on, in registration order.
    static func register(_ reset: AfterForkReset) {
        // Retained for the life of the process: the registry refers to it.
        let context = Unmanaged.passRetained(reset).toOpaque()
        let rc = cshim_after_fork_register({ context in
            // Without a retain and release: each would write the object's reference count,
            // and so copy its page, in every fork child.
            Unmanaged<AfterForkReset>.fromOpaque(context!)._withUnsafeGuaranteedRef { $0.runInForkChild() }
        }, context)
        usageCheck(rc == 0, "AfterFork: more than \(CSHIM_AFTER_FORK_CAPACITY) fork-child resets registered")
    }

    /// Registers `action` to run in every fork child from now on (see ``register(_:)-(AfterForkReset)``).
    static func register(_ action: @escaping () -> Void) {
        register(AfterForkAction(action))
    }
}

/// Something reset in every fork child: override ``runInForkChild()`` and pass an instance to
/// ``AfterFork/register(_:)-(AfterForkReset)``. A class, so that the registry calls it
/// through its vtable (no dynamic cast in the child).
class AfterForkReset {
    init() {}

    /// Runs in a fork child, on its only thread, right after `fork` (see ``AfterFork`` for
    /// what it may do). Does nothing unless overridden.
    func runInForkChild() {}
}

/// A registered closure.
private final class AfterForkAction: AfterForkReset {
    let action: () -> Void

    init(_ action: @escaping () -> Void) { self.action = action }

    override func runInForkChild() { action() }
}
