import Testing
@testable import Multitask

@Suite("Condition")
struct ConditionTests {
    @Test("notify wakes a waiter, which holds the lock again when wait returns")
    func notifyWakes() {
        let cond = Condition()
        let ready = UnguardedBox(false)
        let woke = Event()
        let waiter = Thread {
            cond.withLock {
                while !ready.value { cond.wait() }
                #expect(cond.tryAcquire())   // re-entry proves this thread owns the RLock
                cond.release()
            }
            woke.set()
        }
        waiter.start()
        #expect(!woke.wait(timeout: .milliseconds(20)))
        cond.withLock {
            ready.value = true
            cond.notify()
        }
        #expect(woke.wait(timeout: .seconds(10)))
        waiter.join()
    }

    @Test("wait(timeout:) returns false without a notify, within generous bounds, lock held again")
    func waitTimesOut() {
        let cond = Condition(lock: Lock())
        cond.acquire()
        var notified = true
        let waited = elapsed { notified = cond.wait(timeout: .milliseconds(50)) }
        #expect(!notified)
        #expect(waited >= .milliseconds(45) && waited < .seconds(5))
        #expect(!cond.tryAcquire())    // still held by us
        cond.release()
    }

    @Test("wait(for:timeout:) returns false when the predicate stays false, true at once when it holds")
    func predicateTimeout() {
        let cond = Condition()
        cond.withLock {
            var result = true
            let waited = elapsed { result = cond.wait(for: { false }, timeout: .milliseconds(50)) }
            #expect(!result)
            #expect(waited >= .milliseconds(45) && waited < .seconds(5))
            let immediate = elapsed { result = cond.wait(for: { true }, timeout: .seconds(30)) }
            #expect(result)
            #expect(immediate < .seconds(1))
        }
    }

    @Test("wait on a re-entered RLock releases every level and restores the depth")
    func recursiveWait() {
        let lock = RLock()
        let cond = Condition(lock: lock)
        let flag = UnguardedBox(false)
        lock.acquire()
        lock.acquire()
        lock.acquire()
        let other = Thread {
            // Only possible if the waiter released all three levels.
            cond.withLock {
                flag.value = true
                cond.notifyAll()
            }
        }
        other.start()
        #expect(cond.wait(for: { flag.value }, timeout: .seconds(10)))
        other.join()
        #expect(lock.isOwnedByCurrentThread)
        lock.release()
        lock.release()
        #expect(lock.isOwnedByCurrentThread)
        lock.release()
        #expect(!lock.isLocked)
    }

    @Test("notify(count:) lets that many waiters through, notifyAll the rest")
    func notifyCount() {
        let cond = Condition()
        let tickets = UnguardedBox(0)
        let passed = UnguardedBox(0)
        let waiting = UnguardedBox(0)
        let threads = (0..<5).map { _ in
            Thread {
                cond.withLock {
                    waiting.value += 1
                    cond.wait(for: { tickets.value > 0 })
                    tickets.value -= 1
                    passed.value += 1
                }
            }
        }
        threads.forEach { $0.start() }
        #expect(eventually { cond.withLock { waiting.value == 5 } })
        cond.withLock {
            tickets.value = 2
            cond.notify(count: 2)
        }
        #expect(eventually { cond.withLock { passed.value == 2 } })
        cond.withLock {
            tickets.value = 3
            cond.notifyAll()
        }
        for t in threads { #expect(t.join(timeout: .seconds(10))) }
        #expect(passed.value == 5 && tickets.value == 0)
    }

    @Test("notify without waiters does nothing")
    func notifyWithoutWaiters() {
        let cond = Condition(lock: Lock())
        cond.withLock {
            cond.notify()
            cond.notify(count: 10)
            cond.notifyAll()
        }
        #expect(cond.tryAcquire())
        cond.release()
    }

    @Test("bounded-buffer producers and consumers with predicates lose nothing")
    func producerConsumer() {
        let cond = Condition(lock: Lock())
        let buffer = UnguardedBox<[Int]>([])
        let consumed = UnguardedBox(0)
        let sum = UnguardedBox(0)
        let perProducer = 20_000, producers = 2, consumers = 3, capacity = 16
        let total = perProducer * producers
        let producing = (0..<producers).map { p in
            Thread {
                for i in 0..<perProducer {
                    cond.withLock {
                        cond.wait(for: { buffer.value.count < capacity })
                        buffer.value.append(p * perProducer + i)
                        cond.notifyAll()
                    }
                }
            }
        }
        let consuming = (0..<consumers).map { _ in
            Thread {
                while true {
                    let done: Bool = cond.withLock {
                        cond.wait(for: { !buffer.value.isEmpty || consumed.value == total })
                        if buffer.value.isEmpty { return true }
                        sum.value += buffer.value.removeFirst()
                        consumed.value += 1
                        cond.notifyAll()
                        return false
                    }
                    if done { return }
                }
            }
        }
        (producing + consuming).forEach { $0.start() }
        for t in producing + consuming { #expect(t.join(timeout: .seconds(120))) }
        #expect(consumed.value == total)
        #expect(sum.value == total * (total - 1) / 2)
    }

    @Test("wait without holding the RLock stops with a precise message")
    func waitWithoutLock() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Condition(lock: RLock(name: "guard")).wait()
        }
        #expect(result?.standardErrorText.contains(
            "Condition.wait(): the lock 'guard' is not locked; call it between the condition's acquire() and release()") == true)
    }

    @Test("wait on an RLock held by another thread stops with a precise message")
    func waitOnOthersLock() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let cond = Condition(lock: RLock(name: "theirs"))
            cond.acquire()
            let intruder = Thread { _ = cond.wait(timeout: .seconds(1)) }
            intruder.start()
            intruder.join()
        }
        #expect(result?.standardErrorText.contains("Condition.wait(): the lock 'theirs' is held by thread ") == true)
    }

    @Test("notify without holding the Lock stops with a precise message")
    func notifyWithoutLock() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Condition(lock: Lock(name: "plain")).notify()
        }
        #expect(result?.standardErrorText.contains("Condition.notify(): the lock 'plain' is not locked") == true)
    }
}
