import Foundation
import Multitask
import Testing

/// Foundation has `Process` and `Thread` too; in a file importing both modules, our types are
/// spelled `Multitask.Process` / `Multitask.Thread` (or given a file-level typealias).
private typealias Worker = Multitask.Process

@Suite("Names shared with Foundation")
struct FoundationNamesTests {
    @Test("Multitask.Process and Multitask.Thread work next to Foundation", .timeLimit(.minutes(1)))
    func qualifiedNames() throws {
        let process: Multitask.Process = Worker(name: "with-foundation") {}
        try process.start()
        process.join()
        #expect(process.exitCode == 0)
        let thread: Multitask.Thread = Multitask.Thread {}
        thread.start()
        thread.join()
        let foundationProcess = Foundation.Process()
        #expect(foundationProcess.processIdentifier == 0)
        #expect(Foundation.Thread.isMainThread || !Foundation.Thread.isMainThread)
    }
}
