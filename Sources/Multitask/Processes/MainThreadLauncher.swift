
/// Lets the program's main thread fork its children itself instead of handing them to the
/// supervisor thread, which saves two thread hand-offs (about a sixth of a fork start+join).
///
/// `PR_SET_PDEATHSIG` fires when the thread that forked the child exits, so a child may only be
/// forked by a thread that lives as long as the process (a Linux rule, measured). The
/// supervisor thread never exits. The main thread normally ends only with the process, but a
/// program may end it early with `pthread_exit` (libdispatch's `dispatchMain()` does, and then
/// parks it, so it never really exits). To make the main thread as long-lived as the
/// supervisor, it gets a thread-specific value whose destructor, run by `pthread_exit`, holds
/// the thread until every child it forked has ended. At `exit` no destructor runs: the process
/// ends with its thread, as it would anyway.
enum MainThreadLauncher {
    /// Whether the calling thread is this process's main thread (its thread id is the pid).
    static var isOnMainThread: Bool { NativeThread.isMainThread }

    /// Word 0: the process whose count word 1 is (a fork child inherits the parent's words,
    /// and reading the pid lets it ignore them without writing). Word 1: children forked by
    /// the main thread and not yet ended.
    static let storage = SyncStorage(localWords: 2)
    private static var owner: FutexWord { storage.word(0) }
    private static var liveChildren: FutexWord { storage.word(1) }

    /// The key whose destructor holds an exiting main thread; created once per program image
    /// (a fork child inherits it, together with its main thread's value when the main thread
    /// forked it).
    static let key: ThreadSpecificKey = {
        do {
            return try ThreadSpecificKey.create { _ in MainThreadLauncher.holdWhileChildrenLive() }
        } catch {
            usageFailure("Multitask: cannot create a thread-specific key (\(error))")
        }
    }()

    /// Called on the main thread just before it forks a child: counts it, and arms the
    /// destructor the first time in this process.
    static func willFork() {
        let pid = UInt32(bitPattern: ProcessIdentity.pid)
        if owner.load() != pid {
            liveChildren.store(0)
            owner.store(pid)
            // Any non-nil value makes pthread_exit run the destructor.
            key.value = UnsafeMutableRawPointer(bitPattern: 1)
        }
        liveChildren.add(1)
    }

    /// A child forked by the main thread ended (it was reaped), or the fork that `willFork()`
    /// counted failed.
    static func childEnded() {
        if liveChildren.subtract(1) == 1 { _ = liveChildren.wakeAll() }
    }

    /// The destructor: the main thread is exiting through `pthread_exit` while the process
    /// goes on; it waits here until its children have ended, so that none is killed.
    private static func holdWhileChildrenLive() {
        guard owner.load() == UInt32(bitPattern: ProcessIdentity.pid) else { return }
        _ = liveChildren.park(until: nil) {
            let count = liveChildren.load()
            return count == 0 ? .done : .sleep(expecting: count)
        }
    }
}
