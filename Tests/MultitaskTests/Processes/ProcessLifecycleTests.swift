import Glibc
import Testing
@testable import Multitask

@Suite("Process lifecycle")
struct ProcessLifecycleTests {
    @Test("join(timeout:) returns false while the child runs, then true", .timeLimit(.minutes(1)))
    func joinTimeout() throws {
        let gate = ReportPipe()
        let p = Multitask.Process(daemon: true) {
            var byte: UInt8 = 0
            _ = read(gate.readEnd, &byte, 1)
        }
        try p.start()
        #expect(!p.join(timeout: .milliseconds(100)))
        #expect(p.isAlive)
        #expect(p.exitCode == nil)
        gate.write("x")
        #expect(p.join(timeout: .seconds(10)))
        #expect(!p.isAlive)
        #expect(p.exitCode == 0)
        close(gate.writeEnd)
        close(gate.readEnd)
    }

    @Test("a subclass overrides run() and runs in a fork child", .timeLimit(.minutes(1)))
    func subclass() throws {
        final class Counter: Multitask.Process, @unchecked Sendable {
            let report: ReportPipe
            init(report: ReportPipe) {
                self.report = report
                super.init(name: "counter")
            }
            override func run() throws {
                report.write("\(Multitask.currentProcess.name):\((1...10).reduce(0, +))")
            }
        }
        let report = ReportPipe()
        let p = Counter(report: report)
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        #expect(report.readAll() == "counter:55")
    }

    @Test("a fork child's parentProcess watches the parent through a pidfd made on first use", .timeLimit(.minutes(1)))
    func forkChildParentSentinel() throws {
        let p = Multitask.Process {
            guard let parent = Multitask.parentProcess, let sentinel = parent.sentinel else {
                throw ChildCheckFailed(description: "no parentProcess or no sentinel")
            }
            var entry = pollfd(fd: sentinel.rawValue, events: Int16(POLLIN), revents: 0)
            try childRequire(poll(&entry, 1, 0) == 0, "the sentinel is readable while the parent lives")
            try childRequire(!parent.join(timeout: .milliseconds(20)), "join(timeout:) returned true")
            try childRequire(Multitask.parentProcess?.sentinel == sentinel, "a second pidfd was opened")
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
    }

    @Test("pid, parent pid and names are right in the child", .timeLimit(.minutes(1)))
    func identity() throws {
        let report = ReportPipe()
        let p = Multitask.Process {
            let me = Multitask.currentProcess
            let parent = Multitask.parentProcess
            report.write("\(me.pid) \(me.parentPID) \(getppid()) \(me.name) \(parent?.pid ?? -1) \(parent?.name ?? "-") \(parent?.isAlive ?? false) \(me.startMethod.map { "\($0)" } ?? "-")")
        }
        #expect(p.name.hasPrefix("Process-"))
        try p.start()
        #expect(joinOrKill(p))
        let pid = try #require(p.pid)
        let me = getpid()
        #expect(report.readAll() == "\(pid) \(me) \(me) \(p.name) \(me) MainProcess true fork")
        #expect(Multitask.currentProcess.pid == me)
        #expect(Multitask.currentProcess.parentPID == getppid())
        #expect(Multitask.currentProcess.name == "MainProcess")
        #expect(Multitask.parentProcess == nil)
    }

    @Test("children of a child are named after it (Process-N:M)", .timeLimit(.minutes(1)))
    func nestedNames() throws {
        let report = ReportPipe()
        let p = Multitask.Process {
            let inner = Multitask.Process { report.write(Multitask.currentProcess.name + " " + "\(Multitask.currentProcess.parentPID)") }
            try inner.start()
            inner.join()
            try childRequire(inner.exitCode == 0)
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        let pid = try #require(p.pid)
        let suffix = p.name.dropFirst("Process-".count)
        #expect(report.readAll() == "Process-\(suffix):1 \(pid)")
    }

    @Test("the sentinel becomes readable when the child ends", .timeLimit(.minutes(1)))
    func sentinel() throws {
        let gate = ReportPipe()
        let p = Multitask.Process(daemon: true) {
            var byte: UInt8 = 0
            _ = read(gate.readEnd, &byte, 1)
        }
        #expect(p.sentinel == nil)
        try p.start()
        let fd = try #require(p.sentinel)
        var entry = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 50) == 0)
        gate.write("x")
        #expect(poll(&entry, 1, 10_000) == 1)
        #expect(joinOrKill(p))
        close(gate.writeEnd)
        close(gate.readEnd)
    }

    @Test("waitForExit() suspends without blocking and returns the exit code", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func waitForExit(method: StartMethod) async throws {
        let p = Multitask.Process(startMethod: method, entry: StatusEntry(status: 7))
        try p.start()
        let code = await p.waitForExit()
        #expect(code == 7)
        #expect(await p.waitForExit() == 7)
    }

    @Test("activeChildren lists running children only", .timeLimit(.minutes(1)))
    func activeChildren() throws {
        let p = Multitask.Process(daemon: true, startMethod: .forkserver, entry: SleepEntry(seconds: 30))
        try p.start()
        #expect(Multitask.activeChildren().contains { $0 === p })
        p.terminate()
        #expect(joinOrKill(p))
        #expect(!Multitask.activeChildren().contains { $0 === p })
    }

    @Test("description follows the lifecycle", .timeLimit(.minutes(1)))
    func description() throws {
        let p = Multitask.Process(name: "d", daemon: true) {}
        #expect(p.description == "<Process(d, initial daemon)>")
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.description == "<Process(d, stopped daemon pid=\(p.pid!) exitcode=0)>")
    }

    @Test("a context creates processes with its start method", .timeLimit(.minutes(1)))
    func context() throws {
        for method in StartMethod.allCases {
            let p = ProcessContext(startMethod: method).process(entry: StatusEntry(status: 5))
            try p.start()
            #expect(joinOrKill(p))
            #expect(p.exitCode == 5)
            #expect(p.startMethod == method)
        }
        #expect(Multitask.defaultStartMethod == .forkserver)
    }

    @Test("nested generic entry types resolve in spawned and fork-server children", .timeLimit(.minutes(1)), arguments: [StartMethod.spawn, .forkserver])
    func genericEntry(method: StartMethod) throws {
        let path = "/tmp/multitask-generic-\(getpid())-\(method)"
        defer { unlink(path) }
        let p = Multitask.Process(startMethod: method, entry: Outer.Nested(value: ["a": 1.5], path: path))
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        #expect(readFile(path) == "[\"a\": 1.5]")
    }

    @Test("a large entry value (over the inline limit) reaches the child", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func largeEntry(method: StartMethod) throws {
        let path = "/tmp/multitask-large-\(getpid())-\(method)"
        defer { unlink(path) }
        let numbers = Array(0..<100_000)
        let p = Multitask.Process(startMethod: method, entry: ReportEntry(path: path, numbers: numbers, label: nil))
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        let fields = (readFile(path) ?? "").split(separator: " ")
        #expect(fields.count == 6 && fields[3] == "\(numbers.reduce(0, +))")
    }

    @Test("private entry types are refused: their names contain an address")
    func privateEntry() {
        guard case .failure(let problem) = privateEntryTypeName() else {
            Issue.record("a private type was accepted")
            return
        }
        #expect(problem.description.contains("private"))
        #expect(EntryType.containsAddress("3App13$5630b2fc52e0yXZ4PrivV"))
        #expect(!EntryType.containsAddress("14MultitaskTests10StatusEntryV"))
        #expect((try? EntryType.name(of: StatusEntry.self).get()).flatMap(EntryType.resolve) != nil)
    }
}
