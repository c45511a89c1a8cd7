import Glibc
import Testing
@testable import Multitask

/// What the closure of a `Process` captures is released in the parent once the child
/// started, as CPython's `start()` deletes `_target`.
@Suite("Process drops its target once started", .timeLimit(.minutes(1)))
struct ProcessTargetTests {
    final class Witness: Sendable {
        let value = 7
    }

    @Test("what the closure captures is held until start(), then released in the parent; the child still ran it")
    func capturesReleasedAtStart() throws {
        weak var weakWitness: Witness?
        let report = ReportPipe()
        let process: Multitask.Process
        do {
            let witness = Witness()
            weakWitness = witness
            process = Multitask.Process { report.write("\(witness.value)") }
        }
        #expect(weakWitness != nil, "an unstarted process keeps its closure")
        try process.start()
        #expect(weakWitness == nil, "the parent still holds the closure after start()")
        #expect(joinOrKill(process))
        #expect(process.exitCode == 0)
        #expect(report.readAll() == "7")
    }

    @Test("the async closure's captures are released at start() too")
    func asyncCapturesReleasedAtStart() throws {
        weak var weakWitness: Witness?
        let process: Multitask.Process
        do {
            let witness = Witness()
            weakWitness = witness
            process = Multitask.Process { () async throws in
                if witness.value != 7 { Multitask.exit(3) }
            }
        }
        #expect(weakWitness != nil)
        try process.start()
        #expect(weakWitness == nil)
        #expect(joinOrKill(process))
        #expect(process.exitCode == 0)
    }

    @Test("a process whose closure refers to the process itself is freed once it ran and was dropped")
    func selfReferenceDoesNotLeak() throws {
        final class Holder: @unchecked Sendable { var process: Multitask.Process? }
        weak var weakProcess: Multitask.Process?
        do {
            let holder = Holder()
            let process = Multitask.Process { if holder.process?.name != "cyclic" { Multitask.exit(3) } }
            process.name = "cyclic"
            holder.process = process
            weakProcess = process
            try process.start()
            #expect(joinOrKill(process))
            #expect(process.exitCode == 0)
        }
        // The supervisor lets go of an ended child right after waking its joiners.
        #expect(eventually { weakProcess == nil })
    }

    @Test("run() called in the parent after start() does nothing: the closure is gone")
    func runAfterStartDoesNothing() throws {
        let calls = UnguardedBox(0)
        let process = Multitask.Process { calls.value += 1 }
        try process.start()
        try process.run()
        #expect(calls.value == 0)
        #expect(joinOrKill(process))
        #expect(process.exitCode == 0)
    }

    @Test("an entry value is dropped at start() too, with every start method", arguments: StartMethod.allCases)
    func entryReleasedAtStart(method: StartMethod) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/report"
        let process = Multitask.Process(startMethod: method, entry: ReportEntry(path: path, numbers: [1], label: nil))
        try process.start()
        #expect(joinOrKill(process))
        // Were the entry still here, this would overwrite the child's report with our pid.
        try process.run()
        let writer = readFile(path)?.split(separator: " ").first.flatMap { Int32($0) }
        #expect(writer == process.pid)
    }
}
