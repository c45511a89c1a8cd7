import Dispatch
import Multitask

/// Swift concurrency's primitives, measured as ours are: `withTaskGroup` child tasks (next to
/// ``ThreadPoolBenchmark``) and `AsyncStream` as a one-producer one-consumer channel (next to
/// ``ThreadQueueBenchmark``). The benchmark is synchronous code, so each measurement runs in
/// a `Task` that the calling thread waits for.
public enum ConcurrencyPeers {
    /// Microseconds per task for `count` no-op child tasks of one `withTaskGroup`, from the
    /// first `addTask` until the group has finished them all.
    public static func taskGroupMicroseconds(count: Int) -> Double {
        waitFor {
            let start = ContinuousClock.now
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<count { group.addTask {} }
                await group.waitForAll()
            }
            return (ContinuousClock.now - start).seconds / Double(count) * 1e6
        }
    }

    /// Elements per second from one producer thread through an unbounded `AsyncStream<Int>`
    /// to a consuming task, timed as ``ThreadQueueBenchmark`` times ours: from just before the
    /// producer starts to the last element's arrival.
    public static func asyncStreamThroughputInt(count: Int) -> Double {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .unbounded)
        let producer = Thread(name: "stream-producer") {
            for i in 0..<count { continuation.yield(i) }
            continuation.finish()
        }
        let seconds = waitFor {
            let start = ContinuousClock.now
            producer.start()
            var received = 0
            for await value in stream {
                precondition(value == received, "ConcurrencyPeers: element \(value) arrived as number \(received)")
                received += 1
            }
            precondition(received == count, "ConcurrencyPeers: received \(received) of \(count) elements")
            return (ContinuousClock.now - start).seconds
        }
        producer.join()
        return Double(count) / seconds
    }

    /// Runs `body` in a `Task` and blocks this thread until it has returned its value.
    private static func waitFor(_ body: @escaping @Sendable () async -> Double) -> Double {
        let outcome = Outcome()
        Task {
            outcome.value = await body()
            outcome.done.signal()
        }
        outcome.done.wait()
        return outcome.value
    }

    /// The value of the task ``waitFor(_:)`` runs; written before `done` is signalled, read after.
    // @unchecked: `value` is written before `done` is signalled and read after the wait.
    private final class Outcome: @unchecked Sendable {
        var value = Double.nan
        let done = DispatchSemaphore(value: 0)
    }
}
