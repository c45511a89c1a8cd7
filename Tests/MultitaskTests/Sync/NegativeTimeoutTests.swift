import Testing
@testable import Multitask

/// Every timed call that takes a `Duration`, as exit tests call them.
enum TimedCall: String, CaseIterable, Codable, Sendable {
    case lock, rlock, semaphore, boundedSemaphore, event, condition, conditionPredicate, barrier, barrierDefault
    case threadJoin, threadQueueGet, threadQueuePut, simpleThreadQueueGet, queueGet, processJoin

    /// The operation the message names.
    var operation: String {
        switch self {
        case .lock: "Lock.acquire(timeout:)"
        case .rlock: "RLock.acquire(timeout:)"
        case .semaphore: "Semaphore.acquire(timeout:)"
        case .boundedSemaphore: "BoundedSemaphore.acquire(timeout:)"
        case .event: "Event.wait(timeout:)"
        case .condition: "Condition.wait(timeout:)"
        case .conditionPredicate: "Condition.wait(for:timeout:)"
        case .barrier: "Barrier.wait(timeout:)"
        case .barrierDefault: "Barrier(parties:timeout:)"
        case .threadJoin: "Thread.join(timeout:)"
        case .threadQueueGet: "ThreadQueue<Int>.get(timeout:)"
        case .threadQueuePut: "ThreadQueue<Int>.put(_:timeout:)"
        case .simpleThreadQueueGet: "ThreadQueue<Int>.get(timeout:)"
        case .queueGet: "Queue.put/get(timeout:)"
        case .processJoin: "Process.join(timeout:)"
        }
    }

    /// Makes the call with a timeout of -1 ms (on a primitive that is ready, when possible:
    /// the rule does not depend on whether the call would wait).
    func callWithNegativeTimeout() throws {
        let negative = Duration.milliseconds(-1)
        switch self {
        case .lock: _ = Lock().acquire(timeout: negative)
        case .rlock: _ = RLock().acquire(timeout: negative)
        case .semaphore: _ = Semaphore(value: 1).acquire(timeout: negative)
        case .boundedSemaphore: _ = BoundedSemaphore(value: 1).acquire(timeout: negative)
        case .event:
            let event = Event()
            event.set()
            _ = event.wait(timeout: negative)
        case .condition:
            let condition = Condition()
            condition.withLock { _ = condition.wait(timeout: negative) }
        case .conditionPredicate:
            let condition = Condition()
            condition.withLock { _ = condition.wait(for: { true }, timeout: negative) }
        case .barrier: _ = try Barrier(parties: 1).wait(timeout: negative)
        case .barrierDefault: _ = Barrier(parties: 1, timeout: negative)
        case .threadJoin:
            let thread = Thread {}
            thread.start()
            thread.join()
            _ = thread.join(timeout: negative)
        case .threadQueueGet:
            let queue = ThreadQueue<Int>()
            try queue.put(1)
            _ = try queue.get(timeout: negative)
        case .threadQueuePut: try ThreadQueue<Int>().put(1, timeout: negative)
        case .simpleThreadQueueGet:
            let queue = SimpleThreadQueue<Int>()
            queue.put(1)
            _ = try queue.get(timeout: negative)
        case .queueGet:
            let queue = try Queue<Int>()
            try queue.put(1)
            _ = try queue.get(timeout: negative)
        case .processJoin:
            let process = Multitask.Process {}
            try process.start()
            process.join()
            _ = process.join(timeout: negative)
        }
    }
}

@Suite("Negative timeouts")
struct NegativeTimeoutTests {
    @Test("a negative timeout is a programmer error that names the call", arguments: TimedCall.allCases)
    func negativeTimeoutStops(call: TimedCall) async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [call] in
            try? call.callWithNegativeTimeout()
        }
        #expect(result?.standardErrorText.contains("\(call.operation): the timeout must not be negative (got -0.001 seconds)") == true)
    }

    @Test("a zero timeout does not wait and is no error")
    func zeroTimeout() throws {
        let lock = Lock()
        lock.acquire()
        #expect(!lock.acquire(timeout: .zero))
        #expect(!Event().wait(timeout: .zero))
        #expect(!Semaphore(value: 0).acquire(timeout: .zero))
        #expect(throws: ThreadQueueError.empty) { try ThreadQueue<Int>().get(timeout: .zero) }
        lock.release()
    }

    @Test("a Timer with a negative interval runs its action at once (an interval is a delay, not a timeout)")
    func negativeTimerInterval() {
        let ran = Event()
        let timer = Timer(interval: .seconds(-5)) { ran.set() }
        timer.start()
        #expect(timer.join(timeout: .seconds(20)))
        #expect(ran.isSet)
    }
}
