import Dispatch
import Multitask

/// Dispatch's primitives, measured as ours are: `DispatchSemaphore` ping-pong (next to
/// ``PingPong/eventMicroseconds(roundTrips:)``), `DispatchQueue.global().async` with a
/// `DispatchGroup` (next to ``ThreadPoolBenchmark``), a serial `DispatchQueue` as a
/// one-producer one-consumer channel (next to ``ThreadQueueBenchmark``).
public enum DispatchPeers {
    /// The median round trip, in microseconds, of two threads bouncing through two
    /// `DispatchSemaphore`s (signal → wait), in the harness of ours.
    public static func semaphorePingPongMicroseconds(roundTrips: Int) -> Double {
        let ping = DispatchSemaphore(value: 0), pong = DispatchSemaphore(value: 0)
        return PingPong.medianRoundTripMicroseconds(roundTrips: roundTrips, ping: {
            ping.signal(); pong.wait()
        }, pong: {
            ping.wait(); pong.signal()
        })
    }

    /// Microseconds per task for `count` no-op `DispatchQueue.global().async(group:)` calls,
    /// then `group.wait()`.
    public static func globalAsyncMicroseconds(count: Int) -> Double {
        let group = DispatchGroup()
        let queue = DispatchQueue.global()
        return Stopwatch.seconds {
            for _ in 0..<count { queue.async(group: group) {} }
            group.wait()
        } / Double(count) * 1e6
    }

    /// Elements per second from one producer thread to a serial `DispatchQueue` (the consumer:
    /// each element is a block `async`ed to it), timed as ``ThreadQueueBenchmark`` times ours:
    /// from just before the producer starts to the last element's arrival.
    public static func serialQueueThroughputInt(count: Int) -> Double {
        let consumer = DispatchQueue(label: "bench-consumer")
        let received = Received()
        let finished = DispatchSemaphore(value: 0)
        let producer = Thread(name: "dispatch-producer") {
            for i in 0..<count { consumer.async { received.take(i) } }
            consumer.async { finished.signal() }
        }
        let seconds = Stopwatch.seconds {
            producer.start()
            finished.wait()
        }
        producer.join()
        precondition(received.count == count, "DispatchPeers: received \(received.count) of \(count) elements")
        return Double(count) / seconds
    }

    /// What the serial queue's blocks received; touched only on that queue, read after it is done.
    // @unchecked: touched only on the serial queue, read after the queue drained.
    private final class Received: @unchecked Sendable {
        var count = 0
        func take(_ value: Int) {
            precondition(value == count, "DispatchPeers: element \(value) arrived as number \(count)")
            count += 1
        }
    }
}
