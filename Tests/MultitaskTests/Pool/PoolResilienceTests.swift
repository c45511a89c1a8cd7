import Glibc
import Testing
@testable import Multitask

@Suite("Process pool crash resilience", .timeLimit(.minutes(3)))
struct PoolResilienceTests {
    /// How a crashing task ends its worker, and what the pool should say.
    enum CrashCase: CaseIterable {
        case killed, trapped, exited
        var action: PoolTestAction { switch self { case .killed: .killSelf; case .trapped: .trap; case .exited: .exitProcess } }
        var signal: Int32? { self == .killed ? SIGKILL : nil }
        var exitCode: Int32? { self == .exited ? 3 : nil }
    }

    @Test("a worker killed by SIGKILL, a trap or exit fails exactly its task; the pool goes on",
          arguments: CrashCase.allCases, pooledStartMethods)
    func crashFailsOnlyItsTask(crash: CrashCase, method: StartMethod) throws {
        let (action, signal, exitCode) = (crash.action, crash.signal, crash.exitCode)
        try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let before = (0..<10).map { pool.applyAsync(ActionTask(action: .answer, value: $0)) }
            let crashing = pool.applyAsync(ActionTask(action: action, value: 3))
            let after = (10..<30).map { pool.applyAsync(ActionTask(action: .answer, value: $0)) }
            do {
                _ = try crashing.get(timeout: .seconds(30))
                Issue.record("the crashing task returned a value")
            } catch let PoolError.workerCrashed(gotSignal, gotExit, task, report) {
                if let signal { #expect(gotSignal == signal) } else if let exitCode { #expect(gotExit == exitCode) } else {
                    #expect(gotSignal == SIGILL || gotSignal == SIGTRAP)
                    // A Swift trap's message comes back with the crash.
                    #expect(report?.signal == gotSignal)
                    #expect(report?.message?.contains("chaos task 3 traps on purpose") == true, "\(String(describing: report))")
                }
                #expect(task.contains("ActionTask"))
            }
            for (index, result) in (before + after).enumerated() {
                #expect(try result.get(timeout: .seconds(30)) == index)
            }
            #expect(eventually(within: .seconds(10)) { pool.workerPIDs.count == 2 })
        }
    }

    @Test("a timed-out task's worker is gone, the task fails with taskTimedOut, and the next task runs", arguments: pooledStartMethods)
    func timeoutKillsWorker(method: StartMethod) throws {
        try Pool.withPool(processes: 1, startMethod: method) { pool throws in
            let pid = try pool.apply(ActionTask(action: .reportPID))
            let slow = pool.applyAsync(ActionTask(action: .sleep, value: 30_000), timeout: .milliseconds(300))
            let next = pool.applyAsync(ActionTask(action: .answer, value: 9))
            #expect(throws: PoolError.taskTimedOut(timeout: .milliseconds(300), task: "task #2 (ActionTask)")) {
                try slow.get(timeout: .seconds(20))
            }
            #expect(processIsGone(Int32(pid)))
            #expect(try next.get(timeout: .seconds(20)) == 9)
            #expect(try pool.apply(ActionTask(action: .reportPID)) != pid)
            // A quick task with a timeout is not affected.
            #expect(try pool.apply(ActionTask(action: .answer, value: 1), timeout: .seconds(10)) == 1)
        }
    }

    @Test("maxTasksPerChild replaces workers without failing tasks", arguments: pooledStartMethods)
    func recycling(method: StartMethod) throws {
        try Pool.withPool(processes: 2, maxTasksPerChild: 3, startMethod: method) { pool throws in
            let pids = try (0..<30).map { _ in pool.applyAsync(ActionTask(action: .reportPID)) }.map { try $0.get(timeout: .seconds(30)) }
            #expect(Set(pids).count >= 10)
            var counts: [Int: Int] = [:]
            for pid in pids { counts[pid, default: 0] += 1 }
            #expect(counts.values.allSatisfy { $0 <= 3 })
        }
    }

    @Test("a task that exceeds the memory limit crashes its worker only", arguments: pooledStartMethods)
    func memoryLimit(method: StartMethod) throws {
        try Pool.withPool(processes: 1, startMethod: method, memoryLimit: 256 << 20) { pool throws in
            #expect(try pool.apply(ActionTask(action: .allocate, value: 16 << 20)) == 1)
            #expect {
                try pool.apply(ActionTask(action: .allocate, value: 1 << 30), timeout: .seconds(30))
            } throws: { error in
                if case PoolError.workerCrashed = error { return true }
                return false
            }
            #expect(try pool.apply(ActionTask(action: .answer, value: 2)) == 2)
        }
    }

    @Test("chaos: 10^4 tasks, 1% kill or trap their worker; each ends exactly once, no zombie, no leaked descriptor", arguments: pooledStartMethods)
    func chaos(method: StartMethod) throws {
        let descriptorsBefore = openDescriptorCount()
        let count = 10_000
        var random = SystemRandomNumberGenerator()
        let actions: [PoolTestAction] = (0..<count).map { _ in
            switch Int.random(in: 0..<1000, using: &random) {
            case 0..<8: .killSelf
            case 8..<10: .trap
            default: .answer
            }
        }
        let outcomes = try Pool.withPool(processes: 2, startMethod: method) { pool throws in
            let results = actions.enumerated().map { index, action in pool.applyAsync(ActionTask(action: action, value: index)) }
            let deadline = ContinuousClock.now + .seconds(100)
            return results.map { result in Result { try result.get(timeout: max(.zero, deadline - .now)) } }
        }
        var crashed = 0
        for (index, outcome) in outcomes.enumerated() {
            switch outcome {
            case .success(let value):
                #expect(value == index && actions[index] == .answer)
            case .failure(PoolError.workerCrashed(let signal, _, _, _)):
                crashed += 1
                #expect(actions[index] != .answer, "task \(index) failed without being a crashing one")
                #expect(signal == SIGKILL || signal == SIGILL || signal == SIGTRAP)
            case .failure(let error):
                Issue.record("task \(index): \(error)")
            }
        }
        #expect(crashed == actions.filter { $0 != .answer }.count)
        #expect(eventually(within: .seconds(10)) { zombieChildren().isEmpty })
        // Tests running in parallel open descriptors too; a leak per replaced worker would add
        // about one per crash (~100).
        #expect(crashed > 40)
        #expect(eventually(within: .seconds(10)) { openDescriptorCount() <= descriptorsBefore + crashed / 3 })
    }
}
