import Glibc
import Testing
@testable import Multitask

/// What a `Process` holds once its child ended, and the conditions outside the library that
/// must not break starting and reaping children.
@Suite("Process resources", .serialized)
struct ProcessResourceTests {
    @Test("10,000 finished Process objects kept alive hold no descriptors", .timeLimit(.minutes(5)))
    func finishedProcessesHoldNoDescriptors() throws {
        // Open what the library keeps for the whole run (supervisor, fork server) first.
        let warmUp = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
        try warmUp.start()
        #expect(joinOrKill(warmUp))
        let before = ForkHelper.openDescriptorCount()
        var kept: [Multitask.Process] = []
        kept.reserveCapacity(10_000)
        for index in 0..<10_000 {
            let process = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
            try process.start()
            try #require(joinOrKill(process))
            // Half are closed explicitly, half rely on the release at join.
            if index.isMultiple(of: 2) { process.close() }
            kept.append(process)
        }
        // Not equal: descriptors of earlier tests' objects may be released meanwhile.
        #expect(ForkHelper.openDescriptorCount() <= before)
        #expect(kept.allSatisfy { $0.exitCode == 0 && $0.sentinel == nil })
    }

    @Test("a sentinel that was read stays valid after the join, until close()", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func readSentinelStaysOpen(method: StartMethod) throws {
        // A child that runs until it is told to stop, so that the sentinel is read while it runs.
        let process = Multitask.Process(startMethod: method, entry: SleepEntry(seconds: 30))
        try process.start()
        let sentinel = try #require(process.sentinel)
        process.terminate()
        #expect(joinOrKill(process))
        #expect(process.exitCode == -SIGTERM)
        #expect(fcntl(sentinel.rawValue, F_GETFD) >= 0)
        #expect(process.sentinel == sentinel)
        process.close()
        #expect(process.sentinel == nil)
        #expect(fcntl(sentinel.rawValue, F_GETFD) == -1 && errno == EBADF)
        process.close()
        #expect(process.exitCode == -SIGTERM)
        #expect(process.join(timeout: .zero))
    }

    @Test("a child reaped before anyone joined it keeps its sentinel until join() or close()",
          .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func sentinelOutlivesTheReap(method: StartMethod) throws {
        let process = Multitask.Process(startMethod: method, entry: StatusEntry(status: 5))
        try process.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.exitCode == nil && ContinuousClock.now < deadline { usleep(1_000) }
        #expect(process.exitCode == 5)
        #expect(process.sentinel != nil)
        #expect(joinOrKill(process))
        process.close()
        #expect(process.sentinel == nil)
    }

    @Test("a stopped fork server makes start() throw after the timeout; the next start gets a new server",
          .timeLimit(.minutes(1)))
    func stoppedForkServer() throws {
        let first = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
        try first.start()
        #expect(joinOrKill(first))
        let server = try Supervisor.shared.forkServerClient().serverPID
        let saved = Multitask.forkServerTimeout
        Multitask.forkServerTimeout = .milliseconds(300)
        defer { Multitask.forkServerTimeout = saved }
        kill(server, SIGSTOP)

        let clock = ContinuousClock()
        let started = clock.now
        let stuck = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 0))
        var failure: ProcessError?
        do throws(ProcessError) { try stuck.start() } catch { failure = error }
        let waited = clock.now - started
        guard case .forkServerUnavailable(let why)? = failure else {
            Issue.record("start() did not throw forkServerUnavailable: \(String(describing: failure))")
            return
        }
        #expect(why.contains("did not answer"))
        #expect(waited >= .milliseconds(300))
        #expect(isGoneWithoutZombie(server))

        let next = Multitask.Process(startMethod: .forkserver, entry: StatusEntry(status: 4))
        try next.start()
        #expect(joinOrKill(next))
        #expect(next.exitCode == 4)
        #expect(try Supervisor.shared.forkServerClient().serverPID != server)
    }

    @Test("a program whose pool tasks trap under a 50 ms timeout, piped into cat, ends with the program",
          .enabled(if: AdmissionProbe.built != nil && access("/bin/sh", X_OK) == 0, "needs the probe and sh"))
    func crashingWorkersLeaveNothingBehind() throws {
        let probe = try #require(AdmissionProbe.built)
        // With Swift's backtracer in the workers, the pool killed each worker at its task's
        // timeout while the backtracer ran, and the orphaned `swift-backtrace` held the pipe:
        // `| cat` did not end (the 30 s watchdog catches that) and the tasks timed out.
        let run = try AdmissionProbe.run(["/bin/sh", "-c", "'\(probe.path)' trap-in-pools 2>&1 | cat"])
        #expect(run.outcome == .exited(0))
        #expect(run.output.split(separator: "\n").last == "crashed crashed crashed", "\(run.output)")
    }

    @Test("exit codes are right when whoever started the program left SIGCHLD ignored",
          .enabled(if: AdmissionProbe.built != nil && access("/usr/bin/env", X_OK) == 0, "needs the probe and env"))
    func ignoredChildSignal() throws {
        let probe = try #require(AdmissionProbe.built)
        // env --ignore-signal sets SIG_IGN, which exec keeps: the probe starts with it.
        let run = try AdmissionProbe.run(["/usr/bin/env", "--ignore-signal=CHLD", probe.path, "exit-codes"])
        #expect(run.outcome == .exited(0), "\(run.errors)")
        #expect(run.output == "7 8 9\n", "\(run.errors)")
    }
}
