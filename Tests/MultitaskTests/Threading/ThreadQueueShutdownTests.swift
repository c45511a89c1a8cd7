import Synchronization
import Testing
@testable import Multitask

/// Sleeps `milliseconds`, giving another thread time to block.
private func pause(_ milliseconds: Int) {
    _ = Event().wait(timeout: .milliseconds(milliseconds))
}

/// Counts live instances, to see that an immediate shutdown destroys what it discards.
private final class Discardable: Sendable {
    static let live = Atomic(0)
    init() { Discardable.live.wrappingAdd(1, ordering: .relaxed) }
    deinit { Discardable.live.wrappingAdd(-1, ordering: .relaxed) }
}

@Suite("ThreadQueue: taskDone, join and shutdown")
struct ThreadQueueShutdownTests {
    @Test("join returns once every put element is marked done")
    func joinWaitsForTasks() throws {
        let queue = ThreadQueue<Int>()
        for i in 0..<1_000 { try queue.put(i) }
        #expect(queue.unfinishedTaskCount == 1_000)
        #expect(!queue.join(timeout: .milliseconds(20)))
        let processed = Atomic(0)
        let workers = (0..<3).map { _ in
            Thread {
                while let _ = queue.tryGet() {
                    processed.wrappingAdd(1, ordering: .relaxed)
                    queue.taskDone()
                }
            }
        }
        workers.forEach { $0.start() }
        #expect(queue.join(timeout: .seconds(60)))
        #expect(processed.load(ordering: .relaxed) == 1_000)
        #expect(queue.unfinishedTaskCount == 0)
        for worker in workers { #expect(worker.join(timeout: .seconds(60))) }
        queue.join()  // nothing unfinished: returns at once
    }

    @Test("join blocks while a taken element is not done yet")
    func joinCountsTakenElements() throws {
        let queue = LifoThreadQueue<Int>()
        try queue.put(1)
        _ = try queue.get()
        #expect(queue.isEmpty)
        #expect(!queue.join(timeout: .milliseconds(30)))
        let joined = Event()
        let joiner = Thread { queue.join(); joined.set() }
        joiner.start()
        #expect(!joined.wait(timeout: .milliseconds(30)))
        queue.taskDone()
        #expect(joined.wait(timeout: .seconds(30)))
        #expect(joiner.join(timeout: .seconds(60)))
    }

    @Test("taskDone called more times than elements were put stops the program")
    func extraTaskDone() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let queue = ThreadQueue<Int>()
            try? queue.put(1)
            _ = queue.tryGet()
            queue.taskDone()
            queue.taskDone()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("ThreadQueue<Int>.taskDone(): called more times than there were elements put"))
    }

    @Test("after shutdown, put throws and get drains what is left, then throws")
    func shutdownDrains() throws {
        let queue = ThreadQueue<Int>(maxSize: 10)
        try queue.put(1)
        try queue.put(2)
        queue.shutdown()
        #expect(queue.isShutDown)
        #expect(throws: ThreadQueueError.shutDown) { try queue.put(3) }
        #expect(throws: ThreadQueueError.shutDown) { try queue.put(3, timeout: .seconds(1)) }
        #expect(!queue.tryPut(3))
        #expect(try queue.get() == 1)
        #expect(try queue.get(timeout: .seconds(1)) == 2)
        #expect(throws: ThreadQueueError.shutDown) { try queue.get() }
        #expect(throws: ThreadQueueError.shutDown) { try queue.get(timeout: .seconds(1)) }
        #expect(queue.tryGet() == nil)
        // Tasks go on as usual.
        #expect(queue.unfinishedTaskCount == 2)
        queue.taskDone()
        queue.taskDone()
        #expect(queue.join(timeout: .seconds(1)))
        queue.shutdown()  // a second call changes nothing
        #expect(queue.isShutDown)
    }

    @Test("an immediate shutdown discards the elements, makes get throw at once and releases join")
    func shutdownImmediate() throws {
        let before = Discardable.live.load(ordering: .relaxed)
        let queue = PriorityThreadQueue<Int>()
        for i in 0..<5 { try queue.put(i) }
        let joined = Event()
        let joiner = Thread { queue.join(); joined.set() }
        joiner.start()
        pause(20)
        #expect(!joined.isSet)
        queue.shutdown(immediate: true)
        #expect(joined.wait(timeout: .seconds(30)))
        #expect(joiner.join(timeout: .seconds(60)))
        #expect(queue.isEmpty && queue.unfinishedTaskCount == 0)
        #expect(throws: ThreadQueueError.shutDown) { try queue.get() }
        #expect(throws: ThreadQueueError.shutDown) { try queue.put(9) }

        let objects = ThreadQueue<Discardable>()
        for _ in 0..<3 { try objects.put(Discardable()) }
        objects.shutdown(immediate: true)
        #expect(Discardable.live.load(ordering: .relaxed) == before)
    }

    @Test("an immediate shutdown keeps join waiting for elements taken but not done")
    func shutdownImmediateKeepsTakenTasks() throws {
        let queue = ThreadQueue<Int>()
        try queue.put(1)
        try queue.put(2)
        _ = try queue.get()
        queue.shutdown(immediate: true)
        #expect(queue.unfinishedTaskCount == 1)
        #expect(!queue.join(timeout: .milliseconds(20)))
        queue.taskDone()
        #expect(queue.join(timeout: .seconds(1)))
    }

    @Test("shutdown wakes blocked getters, which throw .shutDown", arguments: [false, true])
    func shutdownWakesGetters(immediate: Bool) {
        let queue = ThreadQueue<Int>()
        let outcomes = Atomic(0)
        let getters = (0..<3).map { _ in
            Thread {
                do throws(ThreadQueueError) {
                    _ = try queue.get()
                } catch {
                    if error == .shutDown { outcomes.wrappingAdd(1, ordering: .relaxed) }
                }
            }
        }
        getters.forEach { $0.start() }
        pause(50)
        queue.shutdown(immediate: immediate)
        for getter in getters { #expect(getter.join(timeout: .seconds(60))) }
        #expect(outcomes.load(ordering: .relaxed) == 3)
    }

    @Test("shutdown wakes blocked putters, which throw .shutDown", arguments: [false, true])
    func shutdownWakesPutters(immediate: Bool) throws {
        let queue = ThreadQueue<Int>(maxSize: 1)
        try queue.put(0)
        let outcomes = Atomic(0)
        let putters = (1...3).map { i in
            Thread {
                do throws(ThreadQueueError) {
                    try queue.put(i, timeout: .seconds(600))
                } catch {
                    if error == .shutDown { outcomes.wrappingAdd(1, ordering: .relaxed) }
                }
            }
        }
        putters.forEach { $0.start() }
        pause(50)
        queue.shutdown(immediate: immediate)
        for putter in putters { #expect(putter.join(timeout: .seconds(60))) }
        #expect(outcomes.load(ordering: .relaxed) == 3)
        #expect(queue.count == (immediate ? 0 : 1))
    }
}
