import Glibc
import Testing
@testable import Multitask

/// `join` of a fork-server child sees the child end on its pidfd and takes the status the
/// child recorded on its way out, without waiting for the server's report.
@Suite("Fork-server join")
struct ForkServerJoinTests {
    @Test("a stopped fork server does not hold up the join of a child that exited normally", .timeLimit(.minutes(1)))
    func joinWithoutTheServersReport() throws {
        let warm = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
        try warm.start()
        #expect(joinOrKill(warm))
        let server = try Supervisor.shared.forkServerClient().serverPID

        let child = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 7))
        try child.start()
        // The server cannot reap the child nor report its end while stopped.
        kill(server, SIGSTOP)
        let joined = child.join(timeout: .seconds(10))
        kill(server, SIGCONT)
        #expect(joined)
        #expect(child.exitCode == 7)
        #expect(child.crashReport == nil)

        // The server's late report of that child changes nothing, and the server still works.
        let next = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 5))
        try next.start()
        #expect(joinOrKill(next))
        #expect(next.exitCode == 5)
        #expect(child.exitCode == 7)
        #expect(try Supervisor.shared.forkServerClient().serverPID == server)
    }

    @Test("a child killed by a signal still gets its status from the server's report", .timeLimit(.minutes(1)))
    func signalledChildFallsBackToTheReport() throws {
        let child = Multitask.Process(daemon: true, startMethod: .forkserver, entry: SleepEntry(seconds: 30))
        try child.start()
        child.kill()
        #expect(joinOrKill(child))
        #expect(child.exitCode == -SIGKILL)
    }

    @Test("children of the server do not inherit the LD_BIND_NOW the library gave the server", .timeLimit(.minutes(1)))
    func bindNowStaysWithTheServer() throws {
        // A program that sets LD_BIND_NOW itself keeps it everywhere; nothing to check then.
        guard getenv("LD_BIND_NOW") == nil else { return }
        let child = Multitask.Process(startMethod: .forkserver, entry: BindNowProbeEntry())
        try child.start()
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0, "a fork-server child sees LD_BIND_NOW or MULTITASK_BIND_NOW in its environment")
    }
}

/// Exits with 3 if `LD_BIND_NOW` or `MULTITASK_BIND_NOW` is in the child's environment.
struct BindNowProbeEntry: ProcessEntry {
    func run() throws {
        if getenv("LD_BIND_NOW") != nil || getenv("MULTITASK_BIND_NOW") != nil { Multitask.exit(3) }
    }
}
