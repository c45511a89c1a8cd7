import Glibc
import Testing
@testable import Multitask

private struct HiddenEntry: ProcessEntry {
    func run() throws {}
}

/// Misuse stops the program with a precise message (checked in exit tests, which run the body
/// in a separate copy of the test runner).
@Suite("Process misuse")
struct ProgrammerErrorTests {
    @Test("starting a process twice stops the program")
    func startTwice() async {
        await #expect(processExitsWith: .failure) {
            let p = Multitask.Process {}
            try? p.start()
            try? p.start()
        }
    }

    @Test("a private entry type with .forkserver stops the program")
    func privateEntryForkServer() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let p = Multitask.Process(startMethod: .forkserver, entry: HiddenEntry())
            try? p.start()
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("HiddenEntry cannot be sent to a spawned or fork-server child: it is private"))
    }

    @Test("joining a process that was never started stops the program")
    func joinUnstarted() async {
        await #expect(processExitsWith: .failure) {
            Multitask.Process {}.join()
        }
    }

    @Test("changing the default start method after it was used stops the program")
    func defaultAfterUse() async {
        await #expect(processExitsWith: .failure) {
            let p = Multitask.Process(entry: StatusEntry(status: 0))
            try? p.start()
            p.join()
            Multitask.defaultStartMethod = .spawn
        }
    }

    @Test("a private entry type still works with .fork", .timeLimit(.minutes(1)))
    func privateEntryFork() throws {
        let p = Multitask.Process(startMethod: .fork, entry: HiddenEntry())
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
    }
}
