import Glibc
import Testing
@testable import Multitask

/// Zombie processes whose parent is one of `parents`.
func zombieChildren(of parents: Set<Int32>) -> [Int32] {
    guard let dir = opendir("/proc") else { return [] }
    defer { closedir(dir) }
    var zombies: [Int32] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let pid = Int32(name), let parent = processParent(pid), parents.contains(parent), processState(pid) == "Z" else { continue }
        zombies.append(pid)
    }
    return zombies
}

@Suite("Reaping")
struct NoZombieTests {
    // Checked in a helper process: the test runner has children of its own (Swift Testing's
    // exit tests), which it reaps on its own schedule.
    @Test("no child is left as a zombie, whatever the start method or the way it ended", .timeLimit(.minutes(1)))
    func noZombies() throws {
        let report = ReportPipe()
        let helper = Multitask.Process(name: "reaper-check") {
            var pids: [Int32] = []
            for method in StartMethod.allCases {
                let quick = Multitask.Process(startMethod: method, entry: StatusEntry(status: 2))
                let killed = Multitask.Process(daemon: true, startMethod: method, entry: SleepEntry(seconds: 30))
                let trapped = Multitask.Process(startMethod: method, entry: ThrowingEntry())
                try quick.start()
                try killed.start()
                try trapped.start()
                killed.kill()
                for p in [quick, killed, trapped] {
                    p.join()
                    pids.append(p.pid!)
                }
            }
            let server = try Supervisor.shared.forkServerClient().serverPID
            // join() returns after the reap: none of these may be a zombie, and nothing else
            // may be one either, here or in the fork server.
            let zombies = zombieChildren(of: [getpid(), server])
            report.write("\(pids.filter { !isGoneWithoutZombie($0) }) \(zombies)")
        }
        try helper.start()
        #expect(joinOrKill(helper))
        #expect(helper.exitCode == 0)
        #expect(report.readAll() == "[] []")
    }

    @Test("a child nobody joins is reaped by the supervisor", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func reapedWithoutJoin(method: StartMethod) async throws {
        let p = Multitask.Process(startMethod: method, entry: StatusEntry(status: 9))
        try p.start()
        let pid = try #require(p.pid)
        let clock = ContinuousClock()
        let end = clock.now + .seconds(10)
        while p.exitCode == nil && clock.now < end { try await Task.sleep(for: .milliseconds(2)) }
        #expect(p.exitCode == 9)
        #expect(!p.isAlive)
        #expect(isGoneWithoutZombie(pid))
    }

    @Test("several threads can join the same child", .timeLimit(.minutes(1)))
    func concurrentJoiners() throws {
        let gate = ReportPipe()
        let p = Multitask.Process(daemon: true) {
            var byte: UInt8 = 0
            _ = read(gate.readEnd, &byte, 1)
        }
        try p.start()
        let joined = Lock()
        nonisolated(unsafe) var results: [Bool] = []
        let joiners = (0..<4).map { i in
            Multitask.Thread(name: "joiner-\(i)") {
                let ended = i == 0 ? p.join(timeout: .milliseconds(50)) : p.join(timeout: .seconds(10))
                joined.withLock { results.append(ended) }
            }
        }
        joiners.forEach { $0.start() }
        usleep(200_000)
        gate.write("x")
        joiners.forEach { $0.join() }
        #expect(results.sorted { !$0 && $1 } == [false, true, true, true])
        #expect(p.exitCode == 0)
        close(gate.writeEnd)
        close(gate.readEnd)
    }

    @Test("a fork child does not keep the pidfd its parent holds on itself", .timeLimit(.minutes(1)))
    func forkChildClosesParentSelfDescriptor() throws {
        // Starting a spawned child makes this process open a pidfd on itself.
        let spawned = Multitask.Process(startMethod: .spawn, entry: StatusEntry(status: 0))
        try spawned.start()
        #expect(joinOrKill(spawned))
        let fd = try #require(Supervisor.shared.selfDescriptor).rawValue
        let child = Multitask.Process {
            try childRequire(fcntl(fd, F_GETFD) < 0, "the parent's descriptor \(fd) is still open in the child")
        }
        try child.start()
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
    }
}
