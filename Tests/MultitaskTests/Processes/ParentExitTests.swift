import CShim
import Glibc
import Testing
@testable import Multitask

/// Waits up to `timeout` for `pid` to stop running.
private func waitUntilNotRunning(_ pid: Int32, timeout: Duration = .seconds(10)) -> Bool {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while clock.now < end {
        if isNotRunning(pid) { return true }
        usleep(5_000)
    }
    return isNotRunning(pid)
}

/// How a helper parent ends.
enum HelperEnding: String, CaseIterable, Sendable {
    /// Returns from its closure: Python's normal exit (daemons terminated, others joined).
    case normal
    /// Dies at once (SIGKILL): only the parent-death signal can clean up.
    case killed
}

@Suite("Children when the parent exits")
struct ParentExitTests {
    @Test("daemon children are gone after their parent exits", .timeLimit(.minutes(1)),
          arguments: StartMethod.allCases, HelperEnding.allCases)
    func daemonGone(method: StartMethod, ending: HelperEnding) throws {
        let report = ReportPipe()
        // The helper is the parent under test: it starts a long-running daemon child, reports
        // its pid, then ends.
        let helper = Multitask.Process(name: "helper") {
            let daemon = Multitask.Process(name: "daemon", daemon: true, startMethod: method, entry: SleepEntry(seconds: 60))
            try daemon.start()
            report.write("\(daemon.pid!)\n")
            if ending == .killed { raise(SIGKILL) }
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == (ending == .normal ? 0 : -SIGKILL))
        let pid = try #require(Int32(report.readAll().filter { $0 != "\n" }))
        #expect(waitUntilNotRunning(pid), "daemon child \(pid) still runs after its parent ended (\(ending), \(method))")
    }

    @Test("non-daemon children are joined at the parent's normal exit", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func nonDaemonJoined(method: StartMethod) throws {
        let report = ReportPipe()
        let path = "/tmp/multitask-joined-\(getpid())-\(method)"
        defer { unlink(path) }
        let helper = Multitask.Process(name: "helper") {
            let child = Multitask.Process(name: "worker", startMethod: method, entry: SlowReportEntry(path: path, milliseconds: 300))
            try child.start()
            report.write("\(child.pid!)\n")
            // Returning now: the helper's exit must wait for the worker.
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
        // The worker finished its file before the helper was allowed to end.
        #expect(readFile(path) == "done")
        let pid = try #require(Int32(report.readAll().filter { $0 != "\n" }))
        #expect(isNotRunning(pid))
    }

    @Test("non-daemon children also die with a parent that is killed", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func nonDaemonKilledWithParent(method: StartMethod) throws {
        let report = ReportPipe()
        let helper = Multitask.Process(name: "helper") {
            let child = Multitask.Process(name: "worker", startMethod: method, entry: SleepEntry(seconds: 60))
            try child.start()
            report.write("\(child.pid!)\n")
            raise(SIGKILL)
        }
        try helper.start()
        #expect(joinOrKill(helper))
        let pid = try #require(Int32(report.readAll().filter { $0 != "\n" }))
        #expect(waitUntilNotRunning(pid))
    }

    @Test("a child forked by the main thread outlives that thread's pthread_exit", .timeLimit(.minutes(1)))
    func mainThreadExitKeepsChildren() throws {
        let helper = Multitask.Process(name: "helper") {
            // In a fork child the only thread is the main thread, so it forks its own children.
            try childRequire(cshim_gettid() == getpid(), "not on the main thread")
            let child = Multitask.Process(name: "late") { usleep(300_000) }
            try child.start()
            let watcher = Multitask.Thread(name: "watcher") {
                child.join()
                // SIGKILL (exit 19) would mean the parent-death signal fired when the main
                // thread left.
                _exit(child.exitCode == 0 ? 0 : 10 + abs(child.exitCode ?? 0))
            }
            watcher.start()
            pthread_exit(nil)
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
    }

    @Test("a fork-server child is reported killed if the server dies, and a new server takes over", .timeLimit(.minutes(1)))
    func forkServerDeath() throws {
        // A private context keeps other tests' fork-server children out of this.
        let helper = Multitask.Process(name: "helper") {
            let child = Multitask.Process(name: "orphan", daemon: true, startMethod: .forkserver, entry: SleepEntry(seconds: 60))
            try child.start()
            let server = try Supervisor.shared.forkServerClient().serverPID
            kill(server, SIGKILL)
            try childRequire(child.join(timeout: .seconds(10)), "the orphan was not reported")
            try childRequire(child.exitCode == -SIGKILL, "exit code \(String(describing: child.exitCode))")
            let next = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 4))
            try next.start()
            next.join()
            try childRequire(next.exitCode == 4, "after restart: \(String(describing: next.exitCode))")
            try childRequire(try Supervisor.shared.forkServerClient().serverPID != server)
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
    }
}

@Suite("Fork server")
struct ForkServerTests {
    @Test("the fork server runs its loop and one C-only forking thread, and is not listed as a child", .timeLimit(.minutes(1)))
    func twoThreads() throws {
        let p = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
        try p.start()
        #expect(joinOrKill(p))
        let server = try Supervisor.shared.forkServerClient().serverPID
        let status = readFile("/proc/\(server)/status") ?? ""
        #expect(status.split(separator: "\n").contains("Threads:\t2"))
        #expect(processParent(server) == getpid())
        #expect(processParent(p.pid!) == nil || processParent(p.pid!) != getpid())
        #expect(!Multitask.activeChildren().contains { $0.pid == server })
    }
}

/// Sleeps, then writes "done" to a file.
struct SlowReportEntry: ProcessEntry {
    var path: String
    var milliseconds: UInt32
    func run() throws {
        usleep(milliseconds * 1000)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        _ = write(fd, "done", 4)
        close(fd)
    }
}
