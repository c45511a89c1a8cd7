import Testing
@testable import Multitask

@Suite("Semaphore")
struct SemaphoreTests {
    @Test("acquire takes units, release gives them back, value follows")
    func counting() {
        let sem = Semaphore(value: 2)
        #expect(sem.value == 2)
        sem.acquire()
        #expect(sem.tryAcquire())
        #expect(sem.value == 0)
        #expect(!sem.tryAcquire())
        sem.release(count: 3)
        #expect(sem.value == 3)
        sem.release()
        #expect(sem.value == 4)   // a plain semaphore has no upper bound
        #expect(Semaphore().value == 1)
    }

    @Test("acquire(timeout:) returns false on an empty semaphore within generous bounds")
    func timeout() {
        let sem = Semaphore(value: 0)
        var acquired = true
        let waited = elapsed { acquired = sem.acquire(timeout: .milliseconds(50)) }
        #expect(!acquired)
        #expect(waited >= .milliseconds(45) && waited < .seconds(5))
        #expect(sem.value == 0)
        sem.release()
        #expect(sem.acquire(timeout: .milliseconds(50)))
    }

    @Test("release wakes a blocked acquirer, release(count:) several")
    func releaseWakes() {
        let sem = Semaphore(value: 0)
        let through = UnguardedBox(0)
        let counter = Lock()
        let waiters = (0..<3).map { _ in
            Thread {
                sem.acquire()
                counter.withLock { through.value += 1 }
            }
        }
        waiters.forEach { $0.start() }
        #expect(!eventually(within: .milliseconds(30)) { counter.withLock { through.value > 0 } })
        sem.release()
        #expect(eventually { counter.withLock { through.value == 1 } })
        sem.release(count: 2)
        for t in waiters { #expect(t.join(timeout: .seconds(10))) }
        #expect(through.value == 3 && sem.value == 0)
    }

    @Test("as a Lockable with one unit it guards 10^6 increments on 4 threads")
    func mutualExclusion() {
        let sem = Semaphore(value: 1)
        let counter = UnguardedBox(0)
        let perThread = 250_000
        let threads = (0..<4).map { _ in
            Thread { for _ in 0..<perThread { sem.withLock { counter.value += 1 } } }
        }
        threads.forEach { $0.start() }
        threads.forEach { $0.join() }
        #expect(counter.value == 4 * perThread)
        #expect(sem.value == 1)
    }

    @Test("producers and consumers lose no wake-up")
    func noLostWakeUp() {
        let items = Semaphore(value: 0)
        let perProducer = 50_000, producers = 3, consumers = 3
        let total = perProducer * producers
        let taken = UnguardedBox(0)
        let tally = Lock()
        let producing = (0..<producers).map { p in
            Thread {
                for i in 0..<perProducer {
                    // Mix single and batched releases.
                    if p == 0 && i % 10 == 0 && i + 10 <= perProducer {
                        items.release(count: 10)
                    } else if p == 0 && i % 10 != 0 {
                        continue
                    } else {
                        items.release()
                    }
                }
            }
        }
        let consuming = (0..<consumers).map { c in
            Thread {
                for _ in 0..<(total / consumers) {
                    if c == 0 {
                        while !items.acquire(timeout: .milliseconds(1)) {}
                    } else {
                        items.acquire()
                    }
                    tally.withLock { taken.value += 1 }
                }
            }
        }
        (consuming + producing).forEach { $0.start() }
        for t in consuming + producing { #expect(t.join(timeout: .seconds(120))) }
        #expect(taken.value == total)
        #expect(items.value == 0)
    }

    @Test("a ping-pong through two semaphores loses no wake-up")
    func pingPong() {
        let ping = Semaphore(value: 0), pong = Semaphore(value: 0)
        let rounds = 20_000
        let t = Thread { for _ in 0..<rounds { ping.acquire(); pong.release() } }
        t.start()
        for _ in 0..<rounds { ping.release(); pong.acquire() }
        #expect(t.join(timeout: .seconds(60)))
        #expect(ping.value == 0 && pong.value == 0)
    }

    @Test("a negative initial value stops with a precise message")
    func negativeValue() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Semaphore(value: -1)
        }
        #expect(result?.standardErrorText.contains("Semaphore(value: -1): the value must be in 0...4294967295") == true)
    }

    @Test("release(count: 0) stops with a precise message")
    func zeroRelease() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Semaphore(value: 0).release(count: 0)
        }
        #expect(result?.standardErrorText.contains("Semaphore.release(count: 0): the count must be in 1...") == true)
    }
}

@Suite("BoundedSemaphore")
struct BoundedSemaphoreTests {
    @Test("behaves as a semaphore up to its initial value")
    func withinBound() {
        let sem = BoundedSemaphore(value: 2)
        let plain: Semaphore = sem      // a BoundedSemaphore is a Semaphore
        #expect(plain.tryAcquire() && plain.tryAcquire() && !plain.tryAcquire())
        sem.release(count: 2)
        #expect(sem.value == 2)
        #expect(!Semaphore(value: 0).acquire(timeout: .milliseconds(10)))
        sem.acquire()
        #expect(sem.acquire(timeout: .milliseconds(10)))
        #expect(!sem.acquire(timeout: .milliseconds(10)))
        sem.release()
        sem.release()
        #expect(sem.value == 2)
    }

    @Test("stress: 4 threads acquiring and releasing never exceed the bound")
    func stress() {
        let sem = BoundedSemaphore(value: 2)
        let inside = UnguardedBox(0), maxInside = UnguardedBox(0)
        let tally = Lock()
        let threads = (0..<4).map { _ in
            Thread {
                for _ in 0..<20_000 {
                    sem.acquire()
                    tally.withLock {
                        inside.value += 1
                        maxInside.value = max(maxInside.value, inside.value)
                    }
                    tally.withLock { inside.value -= 1 }
                    sem.release()
                }
            }
        }
        threads.forEach { $0.start() }
        for t in threads { #expect(t.join(timeout: .seconds(120))) }
        #expect(maxInside.value <= 2)
        #expect(sem.value == 2)
    }

    @Test("releasing beyond the initial value stops with 'released too many times'")
    func releasedTooManyTimes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let sem = BoundedSemaphore(value: 1, name: "slots")
            sem.acquire()
            sem.release()
            sem.release()
        }
        #expect(result?.standardErrorText.contains(
            "BoundedSemaphore.release(count: 1): released too many times; the semaphore 'slots' holds 1 of at most 1 units") == true)
    }
}
