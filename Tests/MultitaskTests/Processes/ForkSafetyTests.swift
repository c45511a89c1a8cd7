import CShim
import Glibc
import Testing
@testable import Multitask

/// A C stdio stream shared with a fork child (the child writes through its copy).
private final class Stream: @unchecked Sendable {
    let file: UnsafeMutablePointer<FILE>
    init(fd: Int32) { file = fdopen(fd, "w")! }
    func put(_ text: String) { fputs(text, file) }
}

@Suite("Fork safety")
struct ForkSafetyTests {
    @Test("output buffered before start() is not written twice", .timeLimit(.minutes(1)))
    func noDuplicatedOutput() throws {
        let report = ReportPipe()
        // In a helper: fork children of tests running in parallel would copy the stream's
        // buffer too, and flush it at their exit (a hazard of fork with threads).
        let helper = Multitask.Process {
            let stream = Stream(fd: dup(report.writeEnd))   // a pipe: fully buffered
            stream.put("before\n")
            let p = Multitask.Process { stream.put("child\n") }   // the child's exit flushes it
            try p.start()
            p.join()
            stream.put("after\n")
            fclose(stream.file)
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(report.readAll() == "before\nchild\nafter\n")
    }

    @Test("print() to a piped stdout before start() is not duplicated by a child", .timeLimit(.minutes(1)))
    func noDuplicatedPrint() throws {
        let report = ReportPipe()
        // The helper owns its stdout, so the test runner's own stdout is left alone.
        let helper = Multitask.Process {
            dup2(report.writeEnd, 1)
            print("before")
            let child = Multitask.Process { print("child") }
            try child.start()
            child.join()
            print("after")
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
        #expect(report.readAll() == "before\nchild\nafter\n")
    }

    @Test("the child's signal mask is empty even when started from a Task", .timeLimit(.minutes(1)))
    func signalMask() async throws {
        let report = ReportPipe()
        let p = try await Task.detached {
            let p = Multitask.Process {
                let status = readFile("/proc/self/status") ?? ""
                let line = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") } ?? ""
                report.write(String(line.split(separator: "\t").last ?? ""))
            }
            try p.start()
            return p
        }.value
        #expect(await p.waitForExit() == 0)
        #expect(report.readAll() == "0000000000000000")
    }

    @Test("200 fork starts while other threads allocate and take locks: none hangs", .timeLimit(.minutes(2)))
    func forkStress() throws {
        let result = try forkUnderChurn()
        #expect(result.hung == 0)
        #expect(result.failed == 0)
    }

    @Test("the same from a main thread, which forks its children itself", .timeLimit(.minutes(3)))
    func forkStressFromMainThread() throws {
        // A fork child's only thread is its main thread: its own children skip the hand-off to
        // the supervisor thread, which meanwhile may be reaping.
        let helper = Multitask.Process(name: "main-forker") {
            try childRequire(cshim_gettid() == getpid(), "not on the main thread")
            let result = try forkUnderChurn()
            try childRequire(result.hung == 0 && result.failed == 0, "hung \(result.hung), failed \(result.failed)")
        }
        try helper.start()
        #expect(joinOrKill(helper, timeout: .seconds(150)))
        #expect(helper.exitCode == 0)
    }

    @Test("a child started inside a Task survives the Task's thread going idle, then terminates", .timeLimit(.minutes(1)))
    func childOfTaskSurvives() async throws {
        let p = try await Task.detached {
            let p = Multitask.Process(daemon: true) { sleep(60) }
            try p.start()
            return p
        }.value
        // Dispatch retires an idle worker thread after about 5 s; a child whose parent-death
        // signal followed that thread would die then.
        try await Task.sleep(for: .seconds(10))
        #expect(p.isAlive)
        p.terminate()
        #expect(await p.waitForExit() == -SIGTERM)
    }

    @Test("Tasks and Task.sleep work in a fork child of a parent with busy Dispatch workers", .timeLimit(.minutes(1)))
    func asyncInForkChild() async throws {
        // Keep the cooperative pool busy at the moment of fork.
        let background = Task.detached { var x = 0; for _ in 0..<20_000_000 { x &+= 1 }; return x }
        let report = ReportPipe()
        let p = Multitask.Process {
            let done = Event()
            Task {
                try? await Task.sleep(for: .milliseconds(20))
                let values = await withTaskGroup(of: Int.self) { group in
                    for i in 1...4 { group.addTask { i * i } }
                    return await group.reduce(0, +)
                }
                report.write("sum=\(values)")
                done.set()
            }
            try childRequire(done.wait(timeout: .seconds(10)), "the task never ran")
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        #expect(report.readAll() == "sum=30")
        _ = await background.value
    }

    @Test("an async closure runs to completion in a fork child", .timeLimit(.minutes(1)))
    func asyncTarget() async throws {
        let report = ReportPipe()
        let p = Multitask.Process(name: "async") {
            try await Task.sleep(for: .milliseconds(10))
            async let a = Task { 20 }.value
            async let b = Task { 22 }.value
            report.write("\(await a + b)")
        }
        try p.start()
        #expect(await p.waitForExit() == 0)
        // A fork child of a fork child gets an executor of its own.
        let nested = Multitask.Process(name: "async-outer") {
            try await Task.sleep(for: .milliseconds(1))
            let inner = Multitask.Process(name: "async-inner") {
                try await Task.sleep(for: .milliseconds(1))
                report.write("inner ")
            }
            try inner.start()
            try childRequire(await inner.waitForExit() == 0)
        }
        try nested.start()
        #expect(await nested.waitForExit() == 0)
        let failing = Multitask.Process(name: "async-throws") { () async throws in
            silenceStandardError()
            throw ThrowingEntry.Boom()
        }
        try failing.start()
        #expect(await failing.waitForExit() == 1)
        #expect(report.readAll() == "42inner ")
    }
}

/// Starts `count` fork children one after another while three threads allocate and take a
/// lock; returns how many did not end within 10 s (then killed) and how many failed.
private func forkUnderChurn(count: Int = 200) throws -> (hung: Int, failed: Int) {
    let stop = Event()
    let lock = Lock()
    nonisolated(unsafe) var shared = 0
    var workers: [Multitask.Thread] = []
    for i in 0..<3 {
        let worker = Multitask.Thread(name: "churn-\(i)") {
            var keep: [[Int]] = []
            var n = 0
            while !stop.isSet {
                keep.append(Array(repeating: n, count: 1 + n % 512))
                if keep.count > 64 { keep.removeAll(keepingCapacity: n % 2 == 0) }
                lock.withLock { shared += 1 }
                n += 1
            }
        }
        worker.start()
        workers.append(worker)
    }
    defer {
        stop.set()
        for worker in workers { worker.join() }
    }
    var hung = 0
    var failed = 0
    for i in 0..<count {
        let p = Multitask.Process(name: "stress-\(i)") {
            let values = (0..<100).map { $0 * i }
            try childRequire(values.count == 100)
        }
        try p.start()
        if !joinOrKill(p, timeout: .seconds(10)) { hung += 1 }
        if p.exitCode != 0 { failed += 1 }
    }
    return (hung, failed)
}
