import Testing
@testable import Multitask

@Suite("Lock")
struct LockTests {
    @Test("acquire and release toggle isLocked")
    func basic() {
        let lock = Lock()
        #expect(!lock.isLocked)
        lock.acquire()
        #expect(lock.isLocked)
        #expect(!lock.tryAcquire())
        lock.release()
        #expect(!lock.isLocked)
        #expect(lock.tryAcquire())
        lock.release()
    }

    @Test("acquire(timeout:) returns false on a held lock within generous bounds")
    func timeout() {
        let lock = Lock()
        lock.acquire()
        let start = Deadline.now
        #expect(!lock.acquire(timeout: .milliseconds(50)))
        let waited = Deadline.now.nanoseconds - start.nanoseconds
        #expect(waited >= 45_000_000)
        #expect(waited < 5_000_000_000)
        lock.release()
        #expect(lock.acquire(timeout: .milliseconds(50)))
        lock.release()
    }

    @Test("another thread may release the lock (Python semantics)")
    func releaseFromOtherThread() {
        let lock = Lock()
        lock.acquire()
        let t = Thread { lock.release() }
        t.start()
        t.join()
        #expect(!lock.isLocked)
    }

    @Test("no lost increment over 10^6 guarded increments on 4 threads")
    func stress() {
        final class Counter: @unchecked Sendable { var value = 0 }
        let lock = Lock()
        let counter = Counter()
        let perThread = 250_000
        let threads = (0..<4).map { _ in
            Thread {
                for _ in 0..<perThread { lock.withLock { counter.value += 1 } }
            }
        }
        threads.forEach { $0.start() }
        threads.forEach { $0.join() }
        #expect(counter.value == 4 * perThread)
    }

    @Test("releasing an unlocked lock stops with a precise message")
    func releaseUnlocked() async {
        await #expect(processExitsWith: .failure) {
            Lock(name: "orphan").release()
        }
    }
}
