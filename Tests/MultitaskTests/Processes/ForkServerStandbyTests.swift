import Glibc
import Testing
@testable import Multitask

@Suite("Fork-server standby")
struct ForkServerStandbyTests {
    /// The server's children other than `excluded`, from /proc.
    private static func serverChildren(_ server: Int32, excluding excluded: Int32?) -> [Int32] {
        ((try? ProcessTable.snapshot().children(of: server)) ?? []).map(\.pid).filter { $0 != excluded && !isNotRunning($0) }
    }

    /// In a helper: starts and joins one fork-server child, then waits for the server to fork
    /// its standby. Returns the server's pid and the standby's (as a one-element array).
    private static func startAndAwaitStandby() throws -> (server: Int32, parked: [Int32]) {
        let first = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
        try first.start()
        first.join()
        let server = try Supervisor.shared.forkServerClient().serverPID
        var parked: [Int32] = []
        try childRequire(eventually { parked = serverChildren(server, excluding: first.pid); return parked.count == 1 },
                         "the server forked no standby: \(parked)")
        return (server, parked)
    }

    /// In a helper: sends `signal` to the parked standby, then starts a child that exits with
    /// 3. Returns the child and the standby's pid.
    private static func startAfterSignallingStandby(_ signal: CInt) throws -> (child: Multitask.Process, standby: Int32) {
        let (_, parked) = try startAndAwaitStandby()
        kill(parked[0], signal)
        let child = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 3))
        try child.start()
        return (child, parked[0])
    }

    /// Runs `checks` in a helper process, which has a fork server of its own (ending with the
    /// helper), and expects it to pass (its failed ``childRequire`` gives exit code 1).
    private static func expectInHelper(timeout: Duration = .seconds(20), _ checks: @escaping @Sendable () throws -> Void) throws {
        let helper = Multitask.Process(name: "helper", target: checks)
        try helper.start()
        #expect(joinOrKill(helper, timeout: timeout))
        #expect(helper.exitCode == 0)
    }

    @Test("after a quiet spell a start is handed to the parked standby, which becomes the request's process; the next standby ends with the server",
          .timeLimit(.minutes(1)))
    func standbyTakesTheRequest() throws {
        let report = ReportPipe()
        let path = "/tmp/multitask-standby-\(getpid())"
        defer { unlink(path) }
        // In a helper: a fork child has a fork server of its own, which ends when the helper does.
        let helper = Multitask.Process(name: "helper") {
            let (server, parked) = try Self.startAndAwaitStandby()
            let child = Multitask.Process(name: "from-standby", startMethod: .forkserver, entry: ReportEntry(path: path, numbers: [1, 2], label: "x"))
            try child.start()
            try childRequire(child.pid == parked[0], "started as \(String(describing: child.pid)), not from standby \(parked[0])")
            try childRequire(child.join(timeout: .seconds(10)) && child.exitCode == 0, "exit code \(String(describing: child.exitCode))")
            var next: [Int32] = []
            try childRequire(eventually { next = Self.serverChildren(server, excluding: child.pid); return next.count == 1 },
                             "no second standby: \(next)")
            report.write("\(child.pid!) \(next[0])\n")
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
        let pids = report.readAll().split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int32($0) }
        try #require(pids.count == 2)
        // Name, parent and identity came with the request, not from when the standby was forked.
        let helperPID = try #require(helper.pid)
        #expect(readFile(path) == "\(pids[0]) \(helperPID) from-standby 3 x \(helperPID)")
        #expect(eventually { isNotRunning(pids[1]) }, "standby \(pids[1]) outlived its server")
    }

    @Test("a SIGINT that reached the parked standby does not end the process it becomes", .timeLimit(.minutes(1)))
    func pendingInterruptDropped() throws {
        try Self.expectInHelper {
            // Blocked in the standby, as in the server: it stays pending until the request.
            let (child, standby) = try Self.startAfterSignallingStandby(SIGINT)
            try childRequire(child.pid == standby, "started as \(String(describing: child.pid)), not from standby \(standby)")
            try childRequire(joinOrKill(child) && child.exitCode == 3, "exit code \(String(describing: child.exitCode))")
        }
    }

    /// The race that got the first standby reverted: the program learned the standby's pid
    /// before the standby dropped a SIGINT left from its parked time, so an `interrupt()` right
    /// after `start()` could be dropped with it. Every round's start is the standby's (checked),
    /// and the signal is sent the moment `start()` returns.
    @Test("interrupt and terminate right after a start handed to the standby end the process, round after round",
          .timeLimit(.minutes(2)))
    func signalRightAfterStandbyStart() throws {
        try Self.expectInHelper(timeout: .seconds(110)) {
            let first = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
            try first.start()
            first.join()
            let server = try Supervisor.shared.forkServerClient().serverPID
            for round in 0..<30 {
                var parked: [Int32] = []
                try childRequire(eventually { parked = Self.serverChildren(server, excluding: nil); return parked.count == 1 },
                                 "round \(round): no standby alone: \(parked)")
                let child = Multitask.Process(startMethod: .forkserver, entry: SleepEntry(seconds: 60))
                try child.start()
                let interrupts = round.isMultiple(of: 2)
                if interrupts { child.interrupt() } else { child.terminate() }
                try childRequire(child.pid == parked[0], "round \(round): started as \(String(describing: child.pid)), not from standby \(parked[0])")
                try childRequire(joinOrKill(child), "round \(round): the signal was lost")
                let expected = -(interrupts ? SIGINT : SIGTERM)
                try childRequire(child.exitCode == expected, "round \(round): exit code \(String(describing: child.exitCode))")
            }
        }
    }

    /// The server's wait for the confirmation is bounded: a standby that cannot answer (here
    /// stopped while parked) is ended, and the request forked directly.
    @Test("a standby that does not confirm the hand-off is ended and the child forked directly", .timeLimit(.minutes(1)))
    func unconfirmedStandbyReplaced() throws {
        try Self.expectInHelper {
            let (child, standby) = try Self.startAfterSignallingStandby(SIGSTOP)
            try childRequire(child.pid != nil && child.pid != standby, "started as the stopped standby \(standby)")
            try childRequire(joinOrKill(child) && child.exitCode == 3, "exit code \(String(describing: child.exitCode))")
            try childRequire(eventually { isNotRunning(standby) }, "the stopped standby \(standby) was left behind")
        }
    }
}
