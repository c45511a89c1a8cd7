
/// The children this process has started and not yet seen end (Python's `_children`), and
/// what happens to them when the program exits.
///
/// At normal exit (an `atexit` handler, installed with the first child) daemon children are
/// sent SIGTERM and then every child is joined, as Python's `multiprocessing` does. If the
/// program dies abruptly instead, `PR_SET_PDEATHSIG` kills every child (see `ChildLaunch`).
enum ChildRegistry {
    static let lock = InternalLock()
    nonisolated(unsafe) static var children: [ObjectIdentifier: Process] = [:]
    nonisolated(unsafe) private static var exitHookInstalled = false
    /// In a fork child: `children` is still the parent's table, to be treated as empty. It is
    /// dropped when the child starts a child of its own, so that a child that never does
    /// (most) does not pay for freeing it.
    nonisolated(unsafe) private static var isInherited = false

    /// The children, guarded by `lock` (held by the caller).
    private static var table: [ObjectIdentifier: Process] {
        _read { yield isInherited ? [:] : children }
        _modify {
            if isInherited {
                children = [:]
                isInherited = false
            }
            yield &children
        }
    }

    static func add(_ process: Process) {
        let install = lock.withLock {
            table[ObjectIdentifier(process)] = process
            defer { exitHookInstalled = true }
            return !exitHookInstalled
        }
        if install { ExitHooks.runAtExit { ChildRegistry.shutdown() } }
    }

    static func remove(_ process: Process) {
        _ = lock.withLock { table.removeValue(forKey: ObjectIdentifier(process)) }
    }

    /// Started children that have not ended, oldest first.
    static var active: [Process] {
        lock.withLock { Array(table.values) }.filter(\.isAlive).sorted { ($0.pid ?? 0) < ($1.pid ?? 0) }
    }

    /// Python's `_exit_function`: terminate daemon children, then join every child. Unlike
    /// Python, a daemon that ignores SIGTERM for a second is killed, so that exit cannot hang
    /// on it; non-daemon children are waited for as long as they run.
    static func shutdown() {
        let all = lock.withLock { table.isEmpty ? [] : Array(table.values) }
        let daemons = all.filter(\.isDaemon)
        for child in daemons { child.terminate() }
        for child in daemons where !child.join(timeout: .seconds(1)) {
            child.kill()
            child.join()
        }
        for child in all where !child.isDaemon { child.join() }
    }

    /// In a fork child: the parent's children are not ours.
    static func reinitializeAfterFork() {
        lock.reinitializeAfterFork()
        isInherited = true
    }
}
