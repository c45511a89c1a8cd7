import Glibc
import Testing
@testable import Multitask

@Suite("LockedBox and the fork-child resets")
struct LockedBoxTests {
    @Test("withLock hands out the value and keeps its changes")
    func withLockKeepsChanges() {
        let box = LockedBox([Int]())
        for i in 0..<3 { box.withLock { $0.append(i) } }
        #expect(box.withLock { $0 } == [0, 1, 2])
    }

    @Test("withLock excludes other threads")
    func withLockExcludes() {
        let box = LockedBox(0)
        let threads = (0..<4).map { _ in
            Thread { for _ in 0..<10_000 { box.withLock { $0 += 1 } } }
        }
        threads.forEach { $0.start() }
        threads.forEach { $0.join() }
        #expect(box.withLock { $0 } == 40_000)
    }

    @Test("a box made with inForkChild is reset in a library fork child, though a parent thread held it")
    func resetInLibraryForkChild() throws {
        let box = LockedBox(5, inForkChild: { $0 = 0 })
        let plain = LockedBox(5)
        try withBoxHeld(box) {
            let child = Process(name: "box-child") {
                // A lock the parent's thread holds would hang here without the reset.
                guard box.withLock({ $0 }) == 0, plain.withLock({ $0 }) == 5 else { throw CancellationError() }
            }
            try child.start()
            let ended = child.join(timeout: .seconds(20))
            if !ended { child.kill(); child.join() }
            #expect(ended)
            #expect(child.exitCode == 0)
        }
        #expect(box.withLock { $0 } == 5)
    }

    @Test("a program's own fork() child gets the resets too")
    func resetInPlainForkChild() async {
        await #expect(processExitsWith: .success) {
            let box = LockedBox(5, inForkChild: { $0 = 0 })
            try! withBoxHeld(box) {
                let pid = fork()
                if pid == 0 { _exit(box.withLock { $0 } == 0 ? 0 : 3) }
                exitUnless(pid > 0, "fork succeeded")
                var status: Int32 = 0
                let ended = eventually(within: .seconds(20)) { waitpid(pid, &status, WNOHANG) == pid }
                if !ended { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
                exitUnless(ended, "the child did not hang on the box's lock")
                exitUnless(status == 0, "the child saw the reset value (status \(status))")
            }
        }
    }
}

/// Runs `body` while another thread holds `box`'s lock.
private func withBoxHeld<Value: Sendable>(_ box: LockedBox<Value>, _ body: () throws -> Void) throws {
    let held = Event()
    let release = Event()
    let holder = Thread {
        box.withLock { _ in
            held.set()
            _ = release.wait(timeout: .seconds(60))
        }
    }
    holder.start()
    defer {
        release.set()
        holder.join()
    }
    #expect(held.wait(timeout: .seconds(20)))
    try body()
}
