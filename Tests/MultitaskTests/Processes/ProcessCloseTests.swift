import Glibc
import Testing
@testable import Multitask

/// `Process.close()` as in Python: refused while the child runs, and it collects a child that
/// ended even when nobody joined it.
@Suite("Process.close()", .timeLimit(.minutes(1)))
struct ProcessCloseTests {
    @Test("closing a process whose child is still running stops the program with a message")
    func closeWhileRunning() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let process = Multitask.Process(name: "busy", daemon: true, startMethod: .fork, entry: SleepEntry(seconds: 30))
            try? process.start()
            process.close()
        }
        #expect(result.standardErrorText.contains("Process.close(): process 'busy' is still running; join it first"))
    }

    @Test("close() collects a child that ended without being joined: exit code set, sentinel released",
          arguments: StartMethod.allCases)
    func closeAfterEndWithoutJoin(method: StartMethod) throws {
        let process = Multitask.Process(startMethod: method, entry: StatusEntry(status: 3))
        try process.start()
        let ready = Connection.wait(processes: [process], timeout: .seconds(20))
        try #require(ready.processes.count == 1)
        process.close()
        #expect(process.exitCode == 3)
        #expect(process.sentinel == nil)
        #expect(!process.isAlive)
        #expect(process.join(timeout: .zero))
    }

    @Test("closing a process that was never started, or twice, does nothing")
    func closeUnstartedOrTwice() throws {
        let unstarted = Multitask.Process {}
        unstarted.close()
        #expect(unstarted.sentinel == nil && unstarted.exitCode == nil)
        let process = Multitask.Process {}
        try process.start()
        #expect(joinOrKill(process))
        process.close()
        process.close()
        #expect(process.exitCode == 0)
    }
}
