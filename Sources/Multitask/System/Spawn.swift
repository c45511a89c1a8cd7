import CShim
import Glibc
import SystemPackage

/// `posix_spawn` with the file actions and attributes Multitask needs.
struct Spawn {
    /// What the child's descriptor table gets before the program starts.
    enum FileAction {
        /// `dup2(source, target)`; the copy is not close-on-exec.
        case duplicate(CInt, to: CInt)
        /// `open(path, flags)` placed at `target`.
        case open(String, flags: CInt, at: CInt)
        /// Closes every descriptor from this number up (glibc 2.34+).
        case closeFrom(CInt)

        /// `open(path, O_RDONLY)` placed at `target`.
        static func readOnly(_ path: String, at target: CInt) -> FileAction { .open(path, flags: O_RDONLY, at: target) }
    }

    var path: String
    var arguments: [String]
    var environment: [String]
    var fileActions: [FileAction] = []
    /// Gives the child an empty signal mask whatever the spawning thread blocks.
    var clearsSignalMask = true
    /// Looks `path` up on `PATH` when it has no slash (`posix_spawnp`) instead of taking it as is.
    var searchesPath = false

    /// Starts the program; returns the child's pid. The corresponding C function is `posix_spawn`
    /// (`posix_spawnp` when ``searchesPath`` is set).
    func run() throws(Errno) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for action in fileActions {
            let rc: CInt
            switch action {
            case .duplicate(let source, let target):
                rc = posix_spawn_file_actions_adddup2(&actions, source, target)
            case .open(let path, let flags, let target):
                rc = posix_spawn_file_actions_addopen(&actions, target, path, flags, 0)
            case .closeFrom(let first):
                rc = withUnsafeMutablePointer(to: &actions) { cshim_spawn_add_close_from($0, first) }
            }
            guard rc == 0 else { throw Errno(rawValue: rc) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if clearsSignalMask {
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        }
        var pid: pid_t = 0
        let rc = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                searchesPath
                    ? posix_spawnp(&pid, path, &actions, &attributes, argv, envp)
                    : posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            }
        }
        guard rc == 0 else { throw Errno(rawValue: rc) }
        return pid
    }
}

/// Calls `body` with a NULL-terminated `char *[]` holding copies of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
