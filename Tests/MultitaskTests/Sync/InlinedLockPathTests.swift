import Testing
@testable import Multitask

/// `Lock`'s fast paths as another module compiles them: `withLock`, `acquire`, `tryAcquire`
/// and `release` are `@inlinable`, so this file holds their inlined copies. Also in the
/// release list (`.ci/run`), where the optimizer works on the inlined code.
@Suite("InlinedLockPath")
struct InlinedLockPathTests {
    /// Runs `body` on `count` threads and joins them; returns whether all ended in time.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) -> Bool {
        let threads = (0..<count).map { _ in Thread { body() } }
        threads.forEach { $0.start() }
        return threads.allSatisfy { $0.join(timeout: .seconds(120)) }
    }

    @Test("withLock and acquire/release from two threads lose no increment")
    func contendedCounting() {
        let lock = Lock()
        let counter = UnguardedBox(0)
        let perThread = 200_000
        let finished = onThreads(2) {
            for i in 0..<perThread {
                if i % 2 == 0 {
                    lock.withLock { counter.value += 1 }
                } else {
                    lock.acquire()
                    counter.value += 1
                    lock.release()
                }
            }
        }
        #expect(finished && counter.value == 2 * perThread)
        #expect(!lock.isLocked)
    }

    @Test("tryAcquire fails while the lock is held, also by another thread, and succeeds once it is released")
    func tryAcquireFollowsTheHolder() {
        let lock = Lock()
        #expect(lock.tryAcquire())
        #expect(!lock.tryAcquire() && lock.isLocked)
        let seenByOther = UnguardedBox(true)
        #expect(onThreads(1) { seenByOther.value = lock.tryAcquire() })
        #expect(!seenByOther.value)
        // Any thread may release a Lock.
        #expect(onThreads(1) { lock.release() })
        #expect(!lock.isLocked && lock.tryAcquire())
        lock.release()
    }

    @Test("withLock returns the body's value and releases when the body throws")
    func withLockReleasesOnThrow() {
        struct Failure: Error {}
        let lock = Lock()
        #expect(lock.withLock { 42 } == 42)
        #expect(throws: Failure.self) { try lock.withLock { throw Failure() } }
        #expect(!lock.isLocked)
        #expect(lock.tryAcquire())
        lock.release()
    }

    @Test("a sleeping waiter is woken by the inlined release")
    func releaseWakesASleeper() {
        let lock = Lock()
        lock.acquire()
        expectReleaseWakesASleeper(lock)
    }

    /// With `lock` held by the caller: lets a waiter fall asleep on it and checks that the
    /// release wakes it. The waiter marks the word 2 (locked, sleepers) once its spin is over,
    /// just before it sleeps; the release must then wake it.
    private func expectReleaseWakesASleeper(_ lock: Lock) {
        let acquired = Event()
        let waiter = Thread { lock.acquire(); acquired.set(); lock.release() }
        waiter.start()
        let marked = Deadline.after(.seconds(60))
        while lock.core.word.load() != 2 && !marked.hasPassed { NativeThread.sleep(for: .milliseconds(1)) }
        #expect(lock.core.word.load() == 2 && !acquired.isSet)
        lock.release()
        #expect(acquired.wait(timeout: .seconds(60)))
        #expect(waiter.join(timeout: .seconds(60)))
        #expect(!lock.isLocked)
    }

    @Test("the inlined release of a lock that was not locked stops with a precise message, also right after a release")
    func releaseOfAnUnlockedLockStops() async {
        let never = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Lock(name: "never-held").release()
        }
        #expect(never?.standardErrorText.contains("Lock.release(): the lock 'never-held' is not locked") == true)
        let twice = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lock = Lock(name: "released-twice")
            lock.withLock {}
            lock.release()
        }
        #expect(twice?.standardErrorText.contains("Lock.release(): the lock 'released-twice' is not locked") == true)
    }

    @Test("a lock acquired while the detector is on is held in the slow-release state; the inlined release tells the detector and opens it")
    func observedLockIsReleasedThroughTheShell() {
        withDetectorReporting {
            let lock = Lock(name: "observed-inline")
            lock.acquire()
            #expect(lock.core.word.load() == MutexCore.slowReleaseState)
            #expect(DeadlockDetector.dump().contains("holds Lock 'observed-inline'"))
            lock.release()
            #expect(lock.core.word.load() == 0 && !DeadlockDetector.dump().contains("observed-inline"))
            #expect(lock.tryAcquire() && lock.core.word.load() == MutexCore.slowReleaseState)
            lock.release()
            #expect(!lock.isLocked)
        }
    }

    @Test("a sleeper that came while the lock was held in the slow-release state is woken by the inlined release")
    func observedReleaseWakesASleeper() {
        withDetectorReporting {
            let lock = Lock(name: "observed-sleeper")
            lock.acquire()
            // The waiter's exchange turns the slow-release state into 2; the release's
            // decrement then leaves 1, and the shell must still wake it.
            #expect(lock.core.word.load() == MutexCore.slowReleaseState)
            expectReleaseWakesASleeper(lock)
        }
    }

    /// Runs `body` with the deadlock detector in report mode (reports dropped) and a wait
    /// threshold no test here reaches; restores the settings.
    private func withDetectorReporting(_ body: () -> Void) {
        let saved = (DeadlockDetector.mode, DeadlockDetector.waitThreshold, DeadlockDetector.reportHandler)
        defer {
            DeadlockDetector.mode = saved.0
            DeadlockDetector.waitThreshold = saved.1
            DeadlockDetector.reportHandler = saved.2
        }
        DeadlockDetector.reportHandler = { _ in }
        DeadlockDetector.waitThreshold = .seconds(120)
        DeadlockDetector.mode = .report
        body()
    }

    @Test("one word admits the fast paths: the fork generation while the detector is off, a value no storage records while it is on")
    func fastPathGenerationFollowsTheDetector() {
        let saved = DeadlockDetector.mode
        defer { DeadlockDetector.mode = saved }
        let lock = Lock()
        DeadlockDetector.mode = .off
        #expect(LockObservationSwitch.fastPathGeneration == ForkGeneration.current && lock.storage.admitsFastPath)
        DeadlockDetector.mode = .report
        #expect(LockObservationSwitch.fastPathGeneration != ForkGeneration.current && !lock.storage.admitsFastPath)
        #expect(LockObservationSwitch.fastPathGeneration != SyncStorage.sharedGeneration)
        DeadlockDetector.mode = .off
        #expect(lock.storage.admitsFastPath)
    }
}
