import Glibc
import Testing
@testable import Multitask

@Suite("Process exit codes")
struct ExitCodeTests {
    @Test("normal end gives 0, exit(N) gives N, exit(message) gives 1", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func exitStatuses(method: StartMethod) throws {
        for (status, expected) in [(Int32(0), Int32(0)), (3, 3), (42, 42)] {
            let p = Multitask.Process(startMethod: method, entry: StatusEntry(status: status))
            try p.start()
            #expect(joinOrKill(p))
            #expect(p.exitCode == expected)
        }
        let named = Multitask.Process(name: "checked", startMethod: method, entry: StatusEntry(status: 0, expectedName: "checked"))
        try named.start()
        #expect(joinOrKill(named))
        #expect(named.exitCode == 0)
    }

    @Test("Multitask.exit(message) prints the message and gives 1", .timeLimit(.minutes(1)))
    func exitWithMessage() throws {
        let err = ReportPipe()
        let p = Multitask.Process {
            dup2(err.writeEnd, 2)
            Multitask.exit("bad input")
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 1)
        #expect(err.readAll() == "bad input\n")
    }

    @Test("an error thrown by run() is printed with the process name and gives 1", .timeLimit(.minutes(1)))
    func thrownError() throws {
        let err = ReportPipe()
        let p = Multitask.Process(name: "thrower") {
            dup2(err.writeEnd, 2)
            throw ThrowingEntry.Boom()
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 1)
        let text = err.readAll()
        #expect(text.hasPrefix("Process thrower:\n"))
        #expect(text.contains("ThrowingEntry.Boom"))
    }

    @Test("a thrown error gives 1 with every start method", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func thrownEntryError(method: StartMethod) throws {
        let p = Multitask.Process(name: "thrower-\(method)", startMethod: method, entry: ThrowingEntry())
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 1)
    }

    @Test("terminate, kill and interrupt give -SIGTERM, -SIGKILL, -SIGINT", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func signals(method: StartMethod) throws {
        for (action, signal) in [("terminate", SIGTERM), ("kill", SIGKILL), ("interrupt", SIGINT)] {
            let p = Multitask.Process(daemon: true, startMethod: method, entry: SleepEntry(seconds: 30))
            try p.start()
            #expect(p.isAlive)
            switch action {
            case "terminate": p.terminate()
            case "kill": p.kill()
            default: p.interrupt()
            }
            #expect(joinOrKill(p, timeout: .seconds(10)))
            #expect(p.exitCode == -signal, "\(action) via \(method)")
            #expect(!p.isAlive)
        }
    }

    @Test("a Swift trap in the child is reported as killed by a signal", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func trap(method: StartMethod) throws {
        let p = Multitask.Process(name: "trap-\(method)", startMethod: method, entry: TrapEntry())
        try p.start()
        #expect(joinOrKill(p, timeout: .seconds(30)))
        let code = try #require(p.exitCode)
        #expect(code == -SIGILL || code == -SIGTRAP, "exit code \(code)")
        #expect(p.crashReport?.signal == -code)
        #expect(p.crashReport?.message?.contains("deliberate trap in a child") == true, "\(String(describing: p.crashReport))")
        let frames = p.crashReport?.frames ?? []
        #expect(frames.contains { $0.symbol?.contains("trapInsideNamedFunction") == true },
                "no frame names the trapping function: \(String(describing: p.crashReport))")
        #expect(p.crashReport?.description.contains("#0 ") == true)
    }

    /// What a crash report is sure to hold in each build mode. A debug build's index check
    /// calls the runtime, which keeps its message (naming the standard library's line); an
    /// optimized build's is a bare trap, whose message the report recovers from the debugging
    /// information SwiftPM writes in both modes, with the line that indexed.
    @Test("a crash report names the runtime's check, and a C fault's has no message", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func crashReports(method: StartMethod) throws {
        let outOfRange = Multitask.Process(startMethod: method, entry: IndexOutOfRangeEntry())
        let fault = Multitask.Process(startMethod: method, entry: SegmentationFaultEntry())
        let quiet = Multitask.Process(startMethod: method, entry: StatusEntry(status: 0))
        for p in [outOfRange, fault, quiet] { try p.start() }
        for p in [outOfRange, fault, quiet] { #expect(joinOrKill(p, timeout: .seconds(30))) }
        let report = try #require(outOfRange.crashReport)
        #expect(report.signal == SIGILL || report.signal == SIGTRAP, "\(report)")
        #expect(report.message?.contains("Index out of range") == true, "\(report)")
        #if DEBUG
        #expect(report.message?.contains("Fatal error") == true, "\(report)")
        #else
        #expect(report.message?.contains("EntryTypes.swift:\(IndexOutOfRangeEntry.subscriptLine): Swift runtime failure: Index out of range") == true, "\(report)")
        #endif
        #expect(report.frames.contains { $0.symbol?.contains("IndexOutOfRangeEntry") == true }, "\(report)")
        #expect(fault.exitCode == -SIGSEGV)
        #expect(fault.crashReport?.signal == SIGSEGV)
        #expect(fault.crashReport?.message == nil)
        #expect(quiet.crashReport == nil)
    }

    @Test("an overflow's report names the check and its line in every build mode", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func overflowReport(method: StartMethod) throws {
        let p = Multitask.Process(startMethod: method, entry: OverflowEntry())
        try p.start()
        #expect(joinOrKill(p, timeout: .seconds(30)))
        let report = try #require(p.crashReport)
        #expect(report.signal == SIGILL || report.signal == SIGTRAP, "\(report)")
        #expect(report.message == "EntryTypes.swift:\(OverflowEntry.additionLine): Swift runtime failure: arithmetic overflow", "\(report)")
        #expect(report.frames.first?.symbol?.contains("addOne") == true, "\(report)")
        #expect(report.description.hasPrefix("signal \(report.signal) (SIG"), "\(report)")
    }

    @Test("a failed check inside a child reaches the parent through the exit status", .timeLimit(.minutes(1)))
    func failureInChild() throws {
        let err = ReportPipe()
        let p = Multitask.Process(name: "checker") {
            dup2(err.writeEnd, 2)
            try childRequire(1 + 1 == 3, "arithmetic is broken")
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 1)
        #expect(err.readAll().contains("arithmetic is broken"))
    }
}
