import Testing
@testable import Multitask

@Suite("RLock")
struct RLockTests {
    @Test("the owner re-enters; the lock is free after as many releases as acquires")
    func reentry() {
        let lock = RLock()
        #expect(!lock.isLocked && !lock.isOwnedByCurrentThread)
        lock.acquire()
        lock.acquire()
        #expect(lock.tryAcquire())
        #expect(lock.acquire(timeout: .milliseconds(1)))
        #expect(lock.isOwnedByCurrentThread)
        for _ in 0..<3 {
            lock.release()
            #expect(lock.isLocked && lock.isOwnedByCurrentThread)
        }
        lock.release()
        #expect(!lock.isLocked && !lock.isOwnedByCurrentThread)
    }

    @Test("another thread cannot take it until the owner's last release")
    func exclusion() {
        let lock = RLock()
        lock.acquire()
        lock.acquire()
        let attempts = UnguardedBox<[Bool]>([])
        let probe = { @Sendable in
            let t = Thread {
                let got = lock.tryAcquire()
                attempts.value.append(got)
                #expect(lock.isOwnedByCurrentThread == got)
                if got { lock.release() }
            }
            t.start()
            t.join()
        }
        probe()
        lock.release()
        probe()
        lock.release()
        probe()
        #expect(attempts.value == [false, false, true])
    }

    @Test("acquire(timeout:) returns false on a lock held by another thread within generous bounds")
    func timeout() {
        let lock = RLock()
        let held = Event(), done = Event()
        let owner = Thread {
            lock.acquire()
            held.set()
            done.wait()
            lock.release()
        }
        owner.start()
        held.wait()
        var acquired = true
        let waited = elapsed { acquired = lock.acquire(timeout: .milliseconds(50)) }
        #expect(!acquired)
        #expect(waited >= .milliseconds(45) && waited < .seconds(5))
        #expect(!lock.isOwnedByCurrentThread)
        done.set()
        owner.join()
        #expect(lock.acquire(timeout: .seconds(5)))
        #expect(lock.isOwnedByCurrentThread)
        lock.release()
    }

    @Test("a waiter gets the lock when the owner releases it")
    func handOff() {
        let lock = RLock()
        lock.acquire()
        let got = Event()
        let waiter = Thread {
            lock.acquire()
            lock.acquire()
            got.set()
            lock.release()
            lock.release()
        }
        waiter.start()
        #expect(!got.wait(timeout: .milliseconds(20)))
        lock.release()
        #expect(got.wait(timeout: .seconds(10)))
        waiter.join()
        #expect(!lock.isLocked)
    }

    @Test("no lost increment over 10^6 guarded increments on 4 threads, with re-entry")
    func stress() {
        let lock = RLock()
        let counter = UnguardedBox(0)
        let perThread = 250_000
        let threads = (0..<4).map { _ in
            Thread {
                for i in 0..<perThread {
                    lock.withLock {
                        if i & 1 == 0 {
                            lock.withLock { counter.value += 1 }   // re-entered
                        } else {
                            counter.value += 1
                        }
                    }
                }
            }
        }
        threads.forEach { $0.start() }
        threads.forEach { $0.join() }
        #expect(counter.value == 4 * perThread)
        #expect(!lock.isLocked)
    }

    @Test("releasing an unlocked RLock stops with a precise message")
    func releaseUnlocked() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            RLock(name: "orphan").release()
        }
        #expect(result?.standardErrorText.contains("RLock.release(): the lock 'orphan' is not locked") == true)
    }

    @Test("releasing an RLock held by another thread stops with a precise message")
    func releaseByNonOwner() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let lock = RLock(name: "theirs")
            lock.acquire()
            let intruder = Thread { lock.release() }
            intruder.start()
            intruder.join()
        }
        let text = result?.standardErrorText ?? ""
        #expect(text.contains("RLock.release(): the lock 'theirs' is held by thread "))
        #expect(text.contains(", not by the calling thread "))
    }
}
