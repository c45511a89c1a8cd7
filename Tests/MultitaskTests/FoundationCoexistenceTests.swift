// A file that imports Foundation and Multitask together. Three names clash there: Foundation
// declares `Thread` and `Timer`, and re-exports Glibc, whose overlay declares
// `typealias Semaphore = UnsafeMutablePointer<sem_t>`. Those three are written
// `Multitask.Thread`, `Multitask.Timer` and `Multitask.Semaphore`. The other primitives have
// no namesake (Foundation's are `NSLock`, `NSCondition`, `NSRecursiveLock`) and need no
// qualification, though qualifying them is always allowed.
import Foundation
import Multitask
import Testing

@Suite("Foundation and Multitask in one file")
struct FoundationCoexistenceTests {
    @Test("Multitask.Thread, Lock, Condition, Semaphore and Event work next to Foundation")
    func primitivesInTypePosition() {
        let lock: Lock = Lock()
        let condition: Multitask.Condition = Multitask.Condition(lock: RLock())
        let plainCondition: Condition = Condition(lock: lock)
        let bounded: BoundedSemaphore = BoundedSemaphore(value: 1)
        let barrier: Barrier = Barrier(parties: 1)
        let semaphore: Multitask.Semaphore = Multitask.Semaphore(value: 0)
        let started: Event = Event()
        final class Items: @unchecked Sendable { var values: [Int] = [] }
        let items = Items()

        let consumer: Multitask.Thread = Multitask.Thread(name: "consumer") {
            started.set()
            condition.withLock {
                _ = condition.wait(for: { items.values.count == 3 }, timeout: .seconds(30))
            }
            semaphore.release()
        }
        consumer.start()
        #expect(started.wait(timeout: .seconds(10)))
        for i in 1...3 {
            lock.withLock {
                condition.withLock {
                    items.values.append(i)
                    condition.notify()
                }
            }
        }
        #expect(semaphore.acquire(timeout: .seconds(30)))
        #expect(consumer.join(timeout: .seconds(10)))
        #expect(items.values == [1, 2, 3])
        plainCondition.withLock { plainCondition.notifyAll() }
        #expect(bounded.tryAcquire())
        bounded.release()
        #expect((try? barrier.wait()) == 0)

        // Foundation's types, unqualified, are still Foundation's.
        let foundationLock: NSLock = NSLock()
        foundationLock.lock()
        foundationLock.unlock()
        let foundationThread: Foundation.Thread = Foundation.Thread.current
        #expect(foundationThread.stackSize >= 0)
        let threads: [Multitask.Thread] = Multitask.Thread.all
        #expect(threads.contains { $0 === Multitask.Thread.main })
    }

    @Test("Multitask.Timer and a Multitask.Thread subclass next to Foundation")
    func timerAndSubclass() {
        final class Worker: Multitask.Thread, @unchecked Sendable {
            let done = Event()
            override func run() throws { done.set() }
        }
        let worker = Worker(name: "worker")
        worker.start()
        worker.join()
        #expect(worker.done.isSet)

        let fired = Event()
        let timer: Multitask.Timer = Multitask.Timer(interval: .milliseconds(10)) { fired.set() }
        timer.start()
        #expect(fired.wait(timeout: .seconds(10)))
        timer.join()
        // A Foundation date next to it, to prove the file really uses Foundation.
        #expect(Date().timeIntervalSince1970 > 0)
    }
}
