import Glibc
import Testing
@testable import Multitask

@Suite("ProcessControl", .timeLimit(.minutes(1)))
struct ProcessControlTests {
    @Test("killAndReap ends a running child and leaves no child to wait for")
    func killAndReapEndsTheChild() throws {
        var sleeper = Spawn(path: "sleep", arguments: ["sleep", "60"], environment: Environment.entries)
        sleeper.searchesPath = true
        let pid = try sleeper.run()
        ProcessControl.killAndReap(pid)
        #expect(ProcessControl.waitForExit(pid) == nil)
        #expect(!ProcessControl.sendSignal(0, to: pid))
    }

    @Test("waitForExit returns the child's raw wait status")
    func waitForExitReturnsTheStatus() throws {
        var child = Spawn(path: "sh", arguments: ["sh", "-c", "exit 3"], environment: Environment.entries)
        child.searchesPath = true
        let pid = try child.run()
        #expect(ProcessControl.waitForExit(pid) == 3 << 8)
    }

    @Test("hasExited(within:) waits for a killed process to finish exiting, and says no for one still running")
    func hasExitedWaitsForAnExit() throws {
        var sleeper = Spawn(path: "sleep", arguments: ["sleep", "60"], environment: Environment.entries)
        sleeper.searchesPath = true
        let pid = try sleeper.run()
        #expect(!ProcessIdentity.hasExited(pid, within: .milliseconds(20)))
        #expect(ProcessControl.sendSignal(SIGKILL, to: pid))
        // Not reaped yet: a zombie counts as exited once the kill has done its work.
        #expect(ProcessIdentity.hasExited(pid, within: .seconds(30)))
        #expect(ProcessControl.waitForExit(pid) != nil)
    }

    @Test("sendSignal with signal 0 tells whether a process exists")
    func signalZeroChecksExistence() {
        #expect(ProcessControl.sendSignal(0, to: ProcessIdentity.pid))
        #expect(!ProcessControl.sendSignal(0, to: ProcessIdentity.largestPID + 1))
    }
}
