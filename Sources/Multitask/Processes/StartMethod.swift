/// How a child process is created, as in Python's `multiprocessing`.
///
/// - ``fork``: the child is a copy of the parent made by `fork()`. It runs any closure and is
///   the fastest (a few hundred microseconds), but it is only safe when the parent is quiet:
///   a lock held by another parent thread at the moment of fork (the Swift runtime's metadata
///   caches, Dispatch's worker pool) stays held forever in the child. Multitask warns once
///   when it forks a multi-threaded process.
/// - ``spawn``: the child is a fresh start of the same executable (`posix_spawn` of
///   `/proc/self/exe`) that runs a ``ProcessEntry`` value and nothing inherited. Safe in any
///   parent; costs a program start (a few milliseconds).
/// - ``forkserver``: a quiet server, started once from the same executable, forks
///   each child on request. As safe as spawn, nearly as fast as fork. The default for entries
///   (Python 3.14's Linux default).
public enum StartMethod: String, Sendable, Hashable, CaseIterable, Codable {
    case fork
    case spawn
    case forkserver
}

/// The program-wide default start method for entry values (Python's `set_start_method`).
enum DefaultStartMethod {
    /// The default, and whether a process already took it.
    struct State {
        var value = StartMethod.forkserver
        var used = false
    }

    static let state = LockedBox(State(), inForkChild: { _ in })

    /// The default, marking it as used: changing it afterwards is a programmer error.
    static func take() -> StartMethod {
        state.withLock { state in
            state.used = true
            return state.value
        }
    }

    static var current: StartMethod { state.withLock { $0.value } }

    static func set(_ method: StartMethod) {
        state.withLock { state in
            usageCheck(!state.used || method == state.value, "Multitask.defaultStartMethod: set it before the first process starts (it is already \(state.value))")
            state.value = method
        }
    }
}
