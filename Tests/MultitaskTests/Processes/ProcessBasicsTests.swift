import Glibc
import Testing
@testable import Multitask

@Suite("Process basics")
struct ProcessBasicsTests {
    @Test("a closure runs in a fork child and exits 0", .timeLimit(.minutes(1)))
    func closureFork() throws {
        let report = ReportPipe()
        let p = Multitask.Process(name: "closure") {
            report.write("\(Multitask.currentProcess.name) \(getpid()) \(getppid())")
        }
        #expect(p.exitCode == nil)
        try p.start()
        let pid = try #require(p.pid)
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        #expect(report.readAll() == "closure \(pid) \(getpid())")
        #expect(isGoneWithoutZombie(pid))
    }

    @Test("an entry runs with each start method", .timeLimit(.minutes(1)), arguments: StartMethod.allCases)
    func entryEachMethod(method: StartMethod) throws {
        let path = "/tmp/multitask-test-\(getpid())-\(method)"
        defer { unlink(path) }
        let p = Multitask.Process(name: "entry-\(method)", startMethod: method, entry: ReportEntry(path: path, numbers: [1, 2, 3], label: "x"))
        try p.start()
        let pid = try #require(p.pid)
        #expect(joinOrKill(p))
        #expect(p.exitCode == 0)
        #expect(p.startMethod == method)
        let fields = (readFile(path) ?? "").split(separator: " ").map(String.init)
        #expect(fields == ["\(pid)", "\(getpid())", "entry-\(method)", "6", "x", "\(getpid())"])
        #expect(isGoneWithoutZombie(pid))
    }
}
