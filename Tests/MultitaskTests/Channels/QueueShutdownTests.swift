import Glibc
import Testing
@testable import Multitask

/// `Queue.shutdown(immediate:)`: Python 3.13's semantics, the thread queues' rules, for every
/// process sharing the queue.
@Suite("Queue shutdown", .timeLimit(.minutes(2)))
struct QueueShutdownTests {
    @Test("after shutdown(), put throws .shutDown and get drains the queue, then throws .shutDown")
    func drainThenThrow() throws {
        let queue = try Queue<Int>(maxSize: 5)
        for i in 1...3 { try queue.put(i) }
        queue.shutdown()
        #expect(queue.isShutDown && !queue.isClosed)
        #expect(throws: QueueError.shutDown) { try queue.put(4) }
        #expect(throws: QueueError.shutDown) { try queue.tryPut(4) }
        #expect(try queue.get() == 1)
        #expect(try queue.get(timeout: .seconds(1)) == 2)
        #expect(try queue.tryGet() == 3)
        #expect(throws: QueueError.shutDown) { try queue.get() }
        #expect(throws: QueueError.shutDown) { try queue.get(timeout: .seconds(1)) }
        #expect(throws: QueueError.shutDown) { try queue.tryGet() }
    }

    @Test("shutdown(immediate: true) discards the elements, finishes their tasks, and get throws at once")
    func immediateDiscards() throws {
        let queue = try JoinableQueue<String>()
        for i in 0..<100 { try queue.put(String(repeating: "x", count: i * 1000)) }
        _ = try queue.get()   // taken, not done: join must still wait for it
        queue.shutdown(immediate: true)
        #expect(queue.count == 0 && queue.isEmpty)
        #expect(throws: QueueError.shutDown) { try queue.get() }
        #expect(queue.unfinishedTaskCount == 1)
        #expect(!queue.join(timeout: .milliseconds(10)))
        queue.taskDone()
        #expect(queue.join(timeout: .seconds(10)))
    }

    @Test("close() then shutdown() is shut down; shutdown() then close() stays shut down")
    func closeAndShutdown() throws {
        let closedFirst = try Queue<Int>()
        closedFirst.close()
        #expect(throws: QueueError.closed) { try closedFirst.put(1) }
        closedFirst.shutdown()
        #expect(closedFirst.isShutDown && !closedFirst.isClosed)
        #expect(throws: QueueError.shutDown) { try closedFirst.put(1) }
        let shutFirst = try Queue<Int>()
        shutFirst.shutdown()
        shutFirst.close()
        #expect(shutFirst.isShutDown && !shutFirst.isClosed)
        #expect(throws: QueueError.shutDown) { try shutFirst.get() }
    }

    @Test("a thread waiting in get and one waiting in put on a full queue wake up and throw .shutDown")
    func wakesWaitingThreads() throws {
        let empty = try Queue<Int>()
        let full = try Queue<Int>(maxSize: 1)
        try full.put(0)
        // One box per thread: each is written by its thread, read after the joins.
        let gotError = UnguardedBox<QueueError?>(nil), putError = UnguardedBox<QueueError?>(nil)
        let started = Multitask.Semaphore(value: 0)
        let getter = Thread {
            started.release()
            do { _ = try empty.get() } catch { gotError.value = error as? QueueError }
        }
        let putter = Thread {
            started.release()
            do { try full.put(1) } catch { putError.value = error as? QueueError }
        }
        getter.start()
        putter.start()
        started.acquire()
        started.acquire()
        empty.shutdown()
        full.shutdown()
        #expect(getter.join(timeout: .seconds(30)))
        #expect(putter.join(timeout: .seconds(30)))
        #expect(gotError.value == .shutDown && putError.value == .shutDown)
    }

    /// Starts a fork child that runs `operation` on `queue` (expected to wait), shuts the
    /// queue down once the child is about to wait, and returns whether the child's operation
    /// then threw `.shutDown`.
    private func childWakesAtShutdown(_ queue: Multitask.Queue<Int>, _ operation: @escaping @Sendable () throws -> Void) throws -> Bool {
        let waiting = try Event(placement: .shared)
        let child = Multitask.Process {
            waiting.set()
            do {
                try operation()
                Multitask.exit(2)
            } catch QueueError.shutDown {
                Multitask.exit(0)
            } catch {
                Multitask.exit(3)
            }
        }
        try child.start()
        #expect(waiting.wait(timeout: .seconds(30)))
        queue.shutdown()
        #expect(joinOrKill(child, timeout: .seconds(30)))
        return child.exitCode == 0
    }

    @Test("a get waiting in a child process wakes up and throws .shutDown when the parent shuts the queue down")
    func wakesGetInChild() throws {
        let queue = try Queue<Int>()
        try queue.put(1)
        _ = try queue.get()   // the child's code, run once here first
        #expect(try childWakesAtShutdown(queue) { _ = try queue.get() })
    }

    @Test("a put waiting on a full queue in a child process wakes up and throws .shutDown")
    func wakesPutInChild() throws {
        let queue = try Queue<Int>(maxSize: 1)
        try queue.put(1)
        #expect(try childWakesAtShutdown(queue) { try queue.put(2) })
        #expect(try queue.get() == 1)
        #expect(throws: QueueError.shutDown) { try queue.get() }
    }

    @Test("an immediate shutdown made by a child empties the queue for the parent and releases its join",
          arguments: [StartMethod.fork, .spawn, .forkserver])
    func immediateShutdownInChild(method: StartMethod) throws {
        let queue = try JoinableQueue<Int>()
        for i in 0..<10 { try queue.put(i) }
        let child = Multitask.Process(startMethod: method, entry: ShutdownEntry(queue: queue, immediate: true))
        try child.start()
        #expect(joinOrKill(child, timeout: .seconds(30)))
        #expect(child.exitCode == 0)
        #expect(queue.isShutDown && queue.count == 0)
        #expect(throws: QueueError.shutDown) { try queue.get() }
        #expect(throws: QueueError.shutDown) { try queue.put(1) }
        #expect(queue.join(timeout: .seconds(10)))
    }

    @Test("a plain shutdown made by a child leaves the parent the elements to drain")
    func drainAfterShutdownInChild() throws {
        let queue = try Queue<Int>()
        for i in 0..<3 { try queue.put(i) }
        let child = Multitask.Process(startMethod: .spawn, entry: ShutdownEntry(queue: queue, immediate: false))
        try child.start()
        #expect(joinOrKill(child, timeout: .seconds(30)))
        #expect(child.exitCode == 0)
        #expect(throws: QueueError.shutDown) { try queue.put(3) }
        #expect(try (0..<3).map { _ in try queue.get() } == [0, 1, 2])
        #expect(throws: QueueError.shutDown) { try queue.get() }
    }
}

/// Shuts `queue` down from a child process.
struct ShutdownEntry: ProcessEntry {
    var queue: Multitask.Queue<Int>
    var immediate: Bool
    func run() throws { queue.shutdown(immediate: immediate) }
}
