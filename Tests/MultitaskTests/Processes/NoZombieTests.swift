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
}
