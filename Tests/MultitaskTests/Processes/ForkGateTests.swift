import Glibc
import Synchronization
import Testing
@testable import Multitask

/// A stand-in for a library thread: runs Swift code (marked by `busy`) between short futex
/// waits, as the supervisor and the pool dispatchers do. For the control (an ungated thread),
/// the work (milliseconds) is long against the wait (20 µs, but a loaded machine may take
/// milliseconds to run the thread again), so that the thread is busy at most forks even then;
/// a gated thread's steps are shorter, as the library's are, so that it reaches its wait well
/// within the gate's timeout (200 ms) even when a loaded machine runs it a tenth of the time.
private final class BusyLibraryThread: @unchecked Sendable {
    let busy = Atomic<Int32>(0)
    let stop = Atomic<Bool>(false)
    let joined = Event()
    let ended = Event()
    private let word = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)

    init(gated: Bool, steps: Int) {
        word.initialize(to: 0)
        let thread = Thread(name: "busy-library-thread", daemon: true) { [self] in
            if gated { ForkGate.joinCurrentThread() }
            joined.set()
            var sink = 0
            while !stop.load(ordering: .relaxed) {
                busy.store(1, ordering: .sequentiallyConsistent)
                for i in 0..<steps { sink &+= i &* 31 }
                busy.store(0, ordering: .sequentiallyConsistent)
                _ = Futex.wait(word, expected: 0, deadline: .after(.microseconds(20)), shared: false)
            }
            if gated { ForkGate.leaveCurrentThread() }
            _ = sink
            ended.set()
        }
        thread.start()
        joined.wait()
    }

    func finish() {
        stop.store(true, ordering: .relaxed)
        ended.wait()
        word.deallocate()
    }

    /// Forks `count` `.fork` children; each exits with the `busy` flag its copy of memory holds.
    func childrenThatSawItBusy(count: Int) throws -> Int {
        var sawBusy = 0
        for _ in 0..<count {
            let child = Multitask.Process { [self] in
                ProcessControl.exitImmediately(busy.load(ordering: .relaxed) == 0 ? 0 : 3)
            }
            try child.start()
            #expect(joinOrKill(child))
            if child.exitCode == 3 { sawBusy += 1 }
        }
        return sawBusy
    }
}

@Suite("Forks happen while the library's own threads are blocked in a wait", .serialized)
struct ForkGateTests {
    @Test("no fork child is a copy of a library thread in the middle of its work", .timeLimit(.minutes(2)))
    func libraryThreadsAreQuietAtEveryFork() throws {
        let unquietBefore = ForkGate.unquietForkCount
        let worker = BusyLibraryThread(gated: true, steps: 200_000)
        let sawBusy = try worker.childrenThatSawItBusy(count: 200)
        worker.finish()
        let unquiet = ForkGate.unquietForkCount - unquietBefore
        // A fork whose gate timed out goes ahead (documented): only such forks may catch it.
        #expect(sawBusy <= unquiet, "\(sawBusy) of 200 children were forked while the library thread was busy, \(unquiet) forks timed out")
        #expect(unquiet < 10, "\(unquiet) of 200 forks timed out waiting for a thread whose steps take milliseconds")
    }

    @Test("control: a thread outside the gate is caught busy by forks", .timeLimit(.minutes(2)))
    func ungatedThreadIsCaughtBusy() throws {
        let worker = BusyLibraryThread(gated: false, steps: 4_000_000)
        let sawBusy = try worker.childrenThatSawItBusy(count: 200)
        worker.finish()
        #expect(sawBusy > 20, "only \(sawBusy) of 200 children saw the thread busy")
    }
}
