import Glibc
import Testing
@testable import Multitask

@Suite("Multi-threaded fork warning", .timeLimit(.minutes(2)))
struct ForkWarningTests {
    @Test("the advice fits the caller: a Pool is told Pool(startMethod: .forkserver), a Process a ProcessEntry")
    func adviceFitsTheCaller() {
        let pool = ForkWarning.message(pid: 42, threads: 5, requester: .pool)
        #expect(pool.contains("Pool(startMethod: .forkserver)"))
        #expect(!pool.contains("ProcessEntry"))
        let process = ForkWarning.message(pid: 42, threads: 5, requester: .process)
        #expect(process.contains("ProcessEntry"))
        #expect(!process.contains("Pool("))
        for text in [pool, process] {
            #expect(text.contains("pid=42") && text.contains("5 threads") && text.contains("warnsOnMultithreadedFork = false"))
        }
    }

    @Test("a .fork Pool in a multi-threaded program prints the Pool advice once")
    func poolForkPrintsPoolAdvice() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let answer = whileOtherThreadsWait { () -> Int? in
                let pool = try? Pool(processes: 2, startMethod: .fork)
                defer { pool?.terminate(); pool?.join() }
                return try? pool?.apply(ActionTask(action: .answer, value: 3))
            }
            if answer != 3 { exit(2) }
        }
        let text = result?.standardErrorText ?? ""
        #expect(text.contains("Pool(startMethod: .forkserver)"), "\(text)")
        #expect(!text.contains("ProcessEntry"))
        #expect(text.components(separatedBy: "Multitask warning").count == 2)
    }

    @Test("a forked Process in a multi-threaded program prints the ProcessEntry advice")
    func processForkPrintsProcessAdvice() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            whileOtherThreadsWait {
                let child = Multitask.Process {}
                try? child.start()
                child.join()
            }
        }
        let text = result?.standardErrorText ?? ""
        #expect(text.contains("ProcessEntry"), "\(text)")
        #expect(!text.contains("Pool("))
    }
}

/// Runs `body` while four more threads of this process wait, so that a fork in it is made by a
/// multi-threaded process.
@discardableResult
private func whileOtherThreadsWait<Value>(_ body: () -> Value) -> Value {
    let release = Event()
    let threads = (0..<4).map { _ in Thread { release.wait() } }
    threads.forEach { $0.start() }
    defer {
        release.set()
        threads.forEach { $0.join() }
    }
    return body()
}
