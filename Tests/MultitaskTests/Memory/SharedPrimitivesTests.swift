import Glibc
import Testing
@testable import Multitask

/// Process-shared placement of every thread primitive, exercised by fork children
/// (`Multitask.Process` with a closure). Children report failures through their exit status
/// (`childRequire`); every wait has a timeout and every child a watchdog (`joinOrKill`).
@Suite("Shared primitives across processes", .serialized)
struct SharedPrimitivesTests {
    /// Starts `count` fork children running `body(index)`.
    private func startChildren(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> [Multitask.Process] {
        try (0..<count).map { index in
            let p = Multitask.Process { try body(index) }
            try p.start()
            return p
        }
    }

    /// Joins every child (killing it after `timeout`) and expects each to have succeeded.
    private func expectSuccess(_ children: [Multitask.Process], timeout: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation) {
        for child in children {
            #expect(joinOrKill(child, timeout: timeout), "child \(child.name) hung", sourceLocation: sourceLocation)
            #expect(child.exitCode == 0, "child \(child.name) failed", sourceLocation: sourceLocation)
        }
    }

    // MARK: Event

    @Test("a shared Event set by a child wakes the parent, and one set by the parent wakes a child", .timeLimit(.minutes(2)))
    func event() throws {
        let fromChild = try Event(placement: .shared)
        let fromParent = try Event(placement: .shared)
        let children = try startChildren(1) { _ in
            usleep(50_000)
            fromChild.set()
            try childRequire(fromParent.wait(timeout: .seconds(20)), "the parent's set() did not arrive")
            try childRequire(fromParent.isSet)
        }
        #expect(fromChild.wait(timeout: .seconds(20)))
        #expect(fromChild.isSet)
        fromParent.set()
        expectSuccess(children)
        #expect(try !Event(placement: .local).isSet)
    }

    // MARK: Semaphore

    @Test("a shared semaphore of value 2 admits at most 2 of 3 processes at once",
          .timeLimit(.minutes(2)), arguments: [false, true])
    func semaphoreLimitsConcurrency(bounded: Bool) throws {
        let slots = bounded ? try BoundedSemaphore(value: 2, placement: .shared) : try Semaphore(value: 2, placement: .shared)
        #expect((slots is BoundedSemaphore) == bounded)
        let inside = try SharedValue(0)
        let most = try SharedValue(0)
        let children = try startChildren(3) { _ in
            for _ in 0..<300 {
                try childRequire(slots.acquire(timeout: .seconds(20)), "no unit within 20 s")
                let now = inside.withLock { count in count += 1; return count }
                most.withLock { $0 = max($0, now) }
                usleep(50)
                inside.withLock { $0 -= 1 }
                slots.release()
            }
        }
        expectSuccess(children)
        #expect(most.load() <= 2)
        #expect(most.load() >= 1)
        #expect(slots.value == 2)
    }

    // MARK: RLock

    @Test("a shared RLock is re-entered in a child and excludes another process (10^5 increments)", .timeLimit(.minutes(3)))
    func rlockMutualExclusion() throws {
        let lock = try RLock(placement: .shared)
        let counter = try SharedValue(0, lock: false)
        let held = try Event(placement: .shared)
        let checked = try Event(placement: .shared)
        let perProcess = 50_000
        let holder = try startChildren(1) { _ in
            lock.acquire()
            try childRequire(lock.tryAcquire() && lock.acquire(timeout: .milliseconds(10)), "re-entry failed")
            try childRequire(lock.isOwnedByCurrentThread && lock.sharedOwnerPID == getpid())
            held.set()
            try childRequire(checked.wait(timeout: .seconds(20)), "the parent never checked")
            lock.release(); lock.release()
            try childRequire(lock.isLocked, "the lock opened before its last release")
            lock.release()
            try childRequire(!lock.isLocked)
        }
        #expect(held.wait(timeout: .seconds(20)))
        #expect(lock.isLocked && !lock.isOwnedByCurrentThread)
        #expect(lock.sharedOwnerPID == holder[0].pid)
        #expect(!lock.tryAcquire())
        #expect(lock.acquireReportingDeadOwner(timeout: .milliseconds(100)) == .timedOut)
        checked.set()
        expectSuccess(holder)
        #expect(!lock.isLocked)

        let workers = try startChildren(2) { _ in
            for _ in 0..<perProcess {
                lock.withLock { lock.withLock { counter.withUnsafeMutablePointer { $0.pointee += 1 } } }
            }
        }
        expectSuccess(workers, timeout: .seconds(120))
        #expect(counter.load() == 2 * perProcess)
        #expect(!lock.isLocked)
    }

    @Test("a process SIGKILLed holding a shared RLock: the next acquirer learns it within bounded time", .timeLimit(.minutes(2)))
    func rlockOwnerDeath() throws {
        let lock = try RLock(placement: .shared)
        let held = try Event(placement: .shared)
        let victim = try startChildren(1) { _ in
            lock.acquire()
            lock.acquire()
            held.set()
            while true { pause() }
        }
        #expect(held.wait(timeout: .seconds(20)))
        let pid = try #require(victim[0].pid)
        #expect(lock.sharedOwnerPID == pid)
        #expect(lock.acquireReportingDeadOwner(timeout: .milliseconds(150)) == .timedOut)

        // A waiter in another process, asleep when the holder dies.
        let waiter = try startChildren(1) { _ in
            let outcome = lock.acquireReportingDeadOwner(timeout: .seconds(20))
            try childRequire(outcome == .acquiredAfterOwnerDied(pid: pid), "got \(outcome)")
            try childRequire(lock.isOwnedByCurrentThread)
            lock.release()   // the dead owner's two levels are gone: one release opens it
            try childRequire(!lock.isLocked, "still locked after one release")
        }
        usleep(50_000)
        victim[0].kill()
        #expect(joinOrKill(victim[0]))
        let start = Deadline.now
        expectSuccess(waiter)
        let elapsed = Deadline.now.nanoseconds - start.nanoseconds
        #expect(elapsed < 2_000_000_000, "took \(elapsed / 1_000_000) ms")
        #expect(!lock.isLocked)
        #expect(lock.acquireReportingDeadOwner() == .acquired)
        lock.release()
    }

    // MARK: Condition

    @Test("a shared Condition hands 2000 items from a producer process to a consumer process through a one-slot buffer",
          .timeLimit(.minutes(2)), arguments: [false, true])
    func conditionProducerConsumer(onPlainLock: Bool) throws {
        let ready = onPlainLock ? try Condition(lock: try Lock(placement: .shared), placement: .shared) : try Condition(placement: .shared)
        let slot = try SharedValue(0, lock: false)   // 0: empty, else the item
        let sum = try SharedValue(0, lock: false)
        let items = 2000
        let producer = try startChildren(1) { _ in
            for item in 1...items {
                try ready.withLock {
                    try childRequire(ready.wait(for: { slot.load() == 0 }, timeout: .seconds(20)), "the consumer stalled")
                    slot.store(item)
                    ready.notifyAll()
                }
            }
        }
        let consumer = try startChildren(1) { _ in
            var total = 0
            for expected in 1...items {
                try ready.withLock {
                    try childRequire(ready.wait(for: { slot.load() != 0 }, timeout: .seconds(20)), "the producer stalled")
                    try childRequire(slot.load() == expected, "out of order")
                    total += slot.load()
                    slot.store(0)
                    ready.notifyAll()
                }
            }
            sum.store(total)
        }
        expectSuccess(producer + consumer)
        #expect(sum.load() == items * (items + 1) / 2)
    }

    // MARK: Barrier

    @Test("a shared Barrier keeps 3 processes in step for 100 rounds; the action runs once per round", .timeLimit(.minutes(3)))
    func barrierRounds() throws {
        let rounds = 100
        let actions = try SharedValue(0)
        let progress = try SharedArray<Int>(repeating: 0, count: 3, lock: false)
        // Every child starts its rounds only once all three exist, so that a slow fork under a
        // loaded test run does not count against the barrier's timeout.
        let go = try Event(placement: .shared)
        let barrier = try Barrier(parties: 3, placement: .shared, action: { actions.withLock { $0 += 1 } }, timeout: .seconds(60))
        let children = try startChildren(3) { me in
            try childRequire(go.wait(timeout: .seconds(60)), "never told to go")
            var indexes = Set<Int>()
            for round in 1...rounds {
                progress[me] = round
                indexes.insert(try barrier.wait())
                for other in 0..<3 {
                    try childRequire(progress[other] >= round, "process \(other) is behind in round \(round)")
                }
                // No one may start round + 1 (and write round + 1) before all have checked.
                _ = try barrier.wait()
            }
            try childRequire(indexes.isSubset(of: [0, 1, 2]))
        }
        go.set()
        expectSuccess(children, timeout: .seconds(120))
        #expect(actions.load() == 2 * rounds, "rounds reached: \((0..<3).map { progress[$0] })")
        #expect(!barrier.isBroken)
        #expect(barrier.waitingCount == 0)
    }

    // MARK: Misuse

    @Test("a process-local Lock used in a fork child stops it with a message that points to `.shared`", .timeLimit(.minutes(1)))
    func localLockInChild() throws {
        let lock = Lock()
        let err = ReportPipe()
        let p = Multitask.Process {
            dup2(err.writeEnd, 2)
            lock.acquire()
        }
        try p.start()
        #expect(joinOrKill(p))
        #expect(p.exitCode != 0)
        let message = err.readAll()
        #expect(message.contains("Lock is process-local and was used in a forked child process"))
        #expect(message.contains("`.shared` placement"))
    }

    @Test("a shared Condition on a process-local lock is a programmer error")
    func sharedConditionNeedsSharedLock() async {
        await #expect(processExitsWith: .failure) {
            _ = try Condition(lock: Lock(), placement: .shared)
        }
    }
}
