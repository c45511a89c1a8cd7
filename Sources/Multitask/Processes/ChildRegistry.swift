
/// The children this process has started and not yet seen end (Python's `_children`), and
/// what happens to them when the program exits.
///
/// At normal exit (an `atexit` handler, installed with the first child) daemon children are
/// sent SIGTERM and then every child is joined, as Python's `multiprocessing` does. If the
/// program dies abruptly instead, `PR_SET_PDEATHSIG` kills every child (see `ChildLaunch`).
enum ChildRegistry {
    /// The table and whether the exit hook is installed.
    struct State {
        var children: [ObjectIdentifier: Process] = [:]
        var exitHookInstalled = false
        /// In a fork child: `children` is still the parent's table, to be treated as empty.
        /// It is dropped when the child starts a child of its own, so that a child that never
        /// does (most) does not pay for freeing it.
        var isInherited = false

        /// The children.
        var table: [ObjectIdentifier: Process] {
            _read { yield isInherited ? [:] : children }
            _modify {
                if isInherited {
                    children = [:]
                    isInherited = false
                }
                yield &children
            }
        }
    }

    /// In a fork child the parent's children are not ours (see ``State/isInherited``).
    static let state = LockedBox(State(), inForkChild: { state in
        if !state.children.isEmpty, !state.isInherited { state.isInherited = true }
    })

    static func add(_ process: Process) {
        let install = state.withLock { state in
            state.table[ObjectIdentifier(process)] = process
            defer { state.exitHookInstalled = true }
            return !state.exitHookInstalled
        }
        if install { ExitHooks.runAtExit { ChildRegistry.shutdown() } }
    }

    static func remove(_ process: Process) {
        _ = state.withLock { $0.table.removeValue(forKey: ObjectIdentifier(process)) }
    }

    /// Started children that have not ended, oldest first.
    static var active: [Process] {
        state.withLock { Array($0.table.values) }.filter(\.isAlive).sorted { ($0.pid ?? 0) < ($1.pid ?? 0) }
    }

    /// Python's `_exit_function`: terminate daemon children, then join every child. Unlike
    /// Python, a daemon that ignores SIGTERM for a second is killed, so that exit cannot hang
    /// on it; non-daemon children are waited for as long as they run.
    static func shutdown() {
        let all = state.withLock { $0.table.isEmpty ? [] : Array($0.table.values) }
        let daemons = all.filter(\.isDaemon)
        for child in daemons { child.terminate() }
        for child in daemons where !child.join(timeout: .seconds(1)) {
            child.kill()
            child.join()
        }
        for child in all where !child.isDaemon { child.join() }
    }
}
