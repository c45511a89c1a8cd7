// A small program that links Multitask, for the child-admission tests: it has an entry an
// intruder would like to run (`MarkFile`), a `main` that records that it ran, a legitimate
// `.spawn` of that entry, and a forger that starts a program with a made-up child
// environment and channel, as an outsider would.
import Glibc
import Multitask

/// The entry an intruder wants to run: writes "entry" to `path`.
struct MarkFile: ProcessEntry {
    var path: String
    func run() throws { record("entry", at: path) }
}

/// An entry that ends its process with `code`.
struct ExitWith: ProcessEntry {
    var code: Int32
    func run() throws { Multitask.exit(code) }
}

/// A pool task that traps.
struct TrappingTask: PoolTask {
    func run() throws -> Int { fatalError("the probe's task traps on purpose") }
}

/// Runs a trapping task with a 50 ms timeout in a pool of every start method, and prints how
/// each ended: "crashed" or "timed-out". Swift's backtracer, had it run in the worker, would
/// take longer than the timeout: the pool would kill the worker meanwhile, and the orphaned
/// `swift-backtrace` helper would keep this program's output open.
func trapInPools() {
    var outcomes: [String] = []
    for method in [StartMethod.fork, .spawn, .forkserver] {
        do {
            try Pool.withPool(processes: 1, startMethod: method) { pool in
                do {
                    _ = try pool.apply(TrappingTask(), timeout: .milliseconds(50))
                    outcomes.append("returned")
                } catch PoolError.workerCrashed {
                    outcomes.append("crashed")
                } catch PoolError.taskTimedOut {
                    outcomes.append("timed-out")
                }
            }
        } catch {
            fail("pool failed: \(error)")
        }
    }
    print(outcomes.joined(separator: " "))
}

/// Starts a child of every start method that exits with 7, 8 and 9, and prints their exit codes.
func printExitCodes() {
    let children = [
        Process { Multitask.exit(7) },
        Process(startMethod: .spawn, entry: ExitWith(code: 8)),
        Process(startMethod: .forkserver, entry: ExitWith(code: 9)),
    ]
    var codes: [String] = []
    for child in children {
        do { try child.start() } catch { fail("start failed: \(error)") }
        child.join()
        codes.append(child.exitCode.map { String($0) } ?? "nil")
    }
    print(codes.joined(separator: " "))
}

func record(_ text: String, at path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { return }
    let line = "\(text) euid=\(geteuid()) ruid=\(getuid())\n"
    _ = line.withCString { write(fd, $0, strlen($0)) }
    close(fd)
}

func fail(_ message: String) -> Never {
    let line = "probe: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(2)
}

/// Plays the intruder: becomes `uid` (when given), writes `request` on a socket pair it makes
/// itself, and starts `target` with that socket on descriptor 3 and `MULTITASK_CHILD=mode`,
/// naming itself as the parent. Waits for `target` (a fork server never ends on its own: the
/// socket is closed after a while, which stops it) and exits with its status.
func forge(mode: String, uid: String, requestHex: String, target: String, mainMarker: String) -> Never {
    if let id = uid_t(uid) {
        // As root, setgid/setuid set the real, effective and saved ids alike.
        guard setgroups(0, nil) == 0, setgid(id) == 0, setuid(id) == 0 else { fail("cannot become user \(id)") }
    }
    var request: [UInt8] = []
    var hex = requestHex.utf8.makeIterator()
    while let high = hex.next(), let low = hex.next() {
        request.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)!)
    }
    let type = mode == "spawn" ? CInt(SOCK_STREAM.rawValue) : CInt(SOCK_SEQPACKET.rawValue)
    var fds: [CInt] = [-1, -1]
    guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { fail("socketpair failed") }
    guard request.withUnsafeBytes({ send(fds[0], $0.baseAddress, $0.count, 0) }) == request.count else { fail("send failed") }
    if mode == "spawn" { shutdown(fds[0], CInt(SHUT_WR)) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 3)
    let arguments = [target, "main", mainMarker]
    let environment = ["MULTITASK_CHILD=\(mode)", "MULTITASK_PARENT_PID=\(getpid())", "PATH=/usr/bin:/bin"]
    var argv = arguments.map { strdup($0) } + [nil]
    var envp = environment.map { strdup($0) } + [nil]
    var pid: pid_t = 0
    guard posix_spawn(&pid, target, &actions, nil, &argv, &envp) == 0 else { fail("cannot start \(target)") }
    close(fds[1])
    // A fork server that took the request answers on the socket; give its child time to run.
    var entry = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
    _ = poll(&entry, 1, 5_000)
    usleep(200_000)
    close(fds[0])
    var status: CInt = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    exit(status & 0x7f == 0 ? (status >> 8) & 0xff : 100)
}

Multitask.bootstrap()
let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: probe type-name | main PATH | spawn PATH | forge MODE UID HEX TARGET PATH") }
switch arguments[1] {
case "type-name":
    print(_mangledTypeName(MarkFile.self) ?? "")
case "exit-codes":
    printExitCodes()
case "trap-in-pools":
    trapInPools()
case "main" where arguments.count == 3:
    record("main", at: arguments[2])
case "spawn" where arguments.count == 3:
    let child = ProcessContext(startMethod: .spawn).process(entry: MarkFile(path: arguments[2]))
    do { try child.start() } catch { fail("start failed: \(error)") }
    child.join()
    exit(child.exitCode ?? 100)
case "forge" where arguments.count == 7:
    forge(mode: arguments[2], uid: arguments[3], requestHex: arguments[4], target: arguments[5], mainMarker: arguments[6])
default:
    fail("unknown command \(arguments.dropFirst())")
}
