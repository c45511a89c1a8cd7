import Glibc
import Testing
@testable import Multitask

@Suite("Shared Lock")
struct SharedLockTests {
    @Test("a shared lock records its owner and behaves like a Lock in one process")
    func basics() throws {
        let lock = try Lock(placement: .shared, name: "shared")
        #expect(!lock.isLocked)
        #expect(lock.sharedOwnerPID == nil)
        lock.acquire()
        #expect(lock.sharedOwnerPID == getpid())
        #expect(!lock.tryAcquire())
        #expect(!lock.acquire(timeout: .milliseconds(20)))
        lock.release()
        #expect(lock.acquireReportingDeadOwner(timeout: .milliseconds(20)) == .acquired)
        lock.release()
        #expect(try Lock(placement: .local).acquireReportingDeadOwner() == .acquired)
    }

    @Test("mutual exclusion across two processes: 10^6 unsynchronized increments, none lost")
    func mutualExclusion() throws {
        let lock = try Lock(placement: .shared)
        let counter = try SharedValue(0, lock: false)
        let perProcess = 500_000
        counter.withUnsafeMutablePointer { _ in }
        lock.withLock {}
        let child = ForkHelper.start {
            for _ in 0..<perProcess {
                lock.withLock { counter.withUnsafeMutablePointer { $0.pointee += 1 } }
            }
            return 0
        }
        for _ in 0..<perProcess {
            lock.withLock { counter.withUnsafeMutablePointer { $0.pointee += 1 } }
        }
        #expect(ForkHelper.wait(child) == .exited(0))
        #expect(counter.load() == 2 * perProcess)
    }

    @Test("a process SIGKILLed while holding a shared lock: the next acquire reports it within a bounded time")
    func ownerDeathReported() throws {
        let lock = try Lock(placement: .shared)
        let ready = try SharedValue(0, lock: false)
        lock.withLock {}
        let child = ForkHelper.start {
            lock.acquire()
            ready.store(1)
            while true { pause() }
        }
        while ready.load() == 0 { usleep(100) }
        #expect(lock.sharedOwnerPID == child)
        // Alive holder: a timed acquire fails.
        #expect(lock.acquireReportingDeadOwner(timeout: .milliseconds(200)) == .timedOut)

        // A waiter already asleep when the holder dies, and one that comes after.
        let waiterResult = try SharedValue(Int32(0), lock: false)
        let waiter = ForkHelper.start {
            if case .acquiredAfterOwnerDied(let pid) = lock.acquireReportingDeadOwner(timeout: .seconds(20)) {
                waiterResult.store(pid)
                lock.release()
                return 0
            }
            return 1
        }
        usleep(50_000)
        #expect(ForkHelper.kill9(child) == .signaled(SIGKILL))
        let start = Deadline.now
        #expect(ForkHelper.wait(waiter) == .exited(0))
        let elapsed = Deadline.now.nanoseconds - start.nanoseconds
        #expect(waiterResult.load() == child)
        #expect(elapsed < 2_000_000_000, "took \(elapsed / 1_000_000) ms")
        #expect(!lock.isLocked)
    }

    @Test("plain acquire takes over from a dead owner (with a warning) instead of hanging")
    func plainAcquireRecovers() throws {
        let lock = try Lock(placement: .shared)
        lock.withLock {}
        let child = ForkHelper.start {
            lock.acquire()
            return 0 // exits holding the lock
        }
        #expect(ForkHelper.wait(child) == .exited(0))
        #expect(lock.sharedOwnerPID == child)
        // Taken over in a second child whose standard error the test reads: the warning is
        // checked, and a passing run prints nothing.
        let errors = ReportPipe()
        let taker = ForkHelper.start {
            dup2(errors.writeEnd, 2)
            let start = Deadline.now
            guard lock.acquire(timeout: .seconds(10)) else { return 1 }
            guard Deadline.now.nanoseconds - start.nanoseconds < 2_000_000_000 else { return 2 }
            guard lock.sharedOwnerPID == getpid() else { return 3 }
            lock.release()
            return 0
        }
        #expect(ForkHelper.wait(taker) == .exited(0))
        #expect(errors.readAll().contains("a process-shared lock was held by process \(child), which exited without releasing it"))
    }
}
