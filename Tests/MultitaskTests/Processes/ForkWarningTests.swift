import Glibc
import MultitaskTestEnvironment
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

@Suite("The fork warning and the environment")
struct ForkWarningEnvironmentTests {
    @Test("MULTITASK_FORK_WARNING=0 silences the warning when the program does not choose")
    func environmentSilences() async {
        #expect(multitask_test_environment_linked() == 1)
        #expect(Environment.value("MULTITASK_FORK_WARNING") == "0")
        // The exit test's process inherits the runner's environment and sets nothing.
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let release = Event()
            let threads = (0..<4).map { _ in Thread { release.wait() } }
            threads.forEach { $0.start() }
            let child = Multitask.Process {}
            try? child.start()
            child.join()
            release.set()
            threads.forEach { $0.join() }
        }
        let text = result?.standardErrorText ?? ""
        #expect(result != nil)
        #expect(!text.contains("Multitask warning"), "\(text)")
    }
}

/// Runs `body` while four more threads of this process wait, so that a fork in it is made by a
/// multi-threaded process.
@discardableResult
private func whileOtherThreadsWait<Value>(_ body: () -> Value) -> Value {
    // The test runner's environment silences the warning (MULTITASK_FORK_WARNING=0); choosing
    // in the program overrides it.
    Multitask.warnsOnMultithreadedFork = true
    let release = Event()
    let threads = (0..<4).map { _ in Thread { release.wait() } }
    threads.forEach { $0.start() }
    defer {
        release.set()
        threads.forEach { $0.join() }
    }
    return body()
}
