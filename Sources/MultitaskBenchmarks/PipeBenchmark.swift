import Multitask
import Synchronization

/// The pipe measurements of `Benchmarks/baselines/METRICS.md`, for `multitask bench --only ipc`.
///
/// Like the C and CPython peers, the other side is a fork child that is already waiting when
/// the clock starts.
public enum PipeBenchmark {
    /// `pipe_throughput_int`: `count` `Int`s sent by this process through a one-way ``Pipe(duplex:)``
    /// to a child, in messages per second (from the first send to the child's last receive).
    public static func throughputInt(count: Int) -> Double {
        let (reader, writer) = pipe(duplex: false)
        // Shared words: [0] child ready, [1] child finish time (ns).
        let words = benchmarkSharedBytes(2 * 8)
        let shared = words.pointer.bindMemory(to: Atomic<Int>.self, capacity: 2)
        let captured = ForkCapture(shared)
        let child = benchmarkChild {
            let shared = captured.value
            writer.close()
            shared[0].store(1, ordering: .releasing)
            for i in 0..<count {
                guard try reader.receive(Int.self) == i else { throw ConnectionError.closed }
            }
            shared[1].store(Int(Deadline.now.nanoseconds), ordering: .releasing)
        }
        reader.close()
        while !Spin.until(budget: 20_000, { shared[0].load(ordering: .acquiring) != 0 }) {}
        let start = Deadline.now.nanoseconds
        for i in 0..<count {
            do { try writer.send(i) } catch { fatalError("pipe benchmark send failed: \(error)") }
        }
        child.join()
        usageCheck(child.exitCode == 0, "pipe benchmark child failed (exit code \(child.exitCode ?? -1))")
        let finish = Int64(shared[1].load(ordering: .acquiring))
        writer.close()
        withExtendedLifetime(words.owner) {}
        return Double(count) / (Double(finish - start) / 1e9)
    }

    /// `pipe_pingpong_rtt`: the median round trip, in microseconds, of an `Int` sent to a child
    /// over a duplex ``Pipe(duplex:)`` and sent back, over `roundTrips` samples (after 1000
    /// warm-up round trips).
    public static func pingPongMicroseconds(roundTrips: Int) -> Double {
        let (parent, child) = pipe(duplex: true)
        let warmUp = 1000
        let echo = benchmarkChild {
            parent.close()
            for _ in 0..<(warmUp + roundTrips) { try child.send(try child.receive(Int.self)) }
        }
        child.close()
        var samples = [Double](repeating: 0, count: roundTrips)
        for i in -warmUp..<roundTrips {
            let start = Deadline.now.nanoseconds
            do {
                try parent.send(i)
                guard try parent.receive(Int.self) == i else { fatalError("pipe benchmark: wrong reply") }
            } catch {
                fatalError("pipe benchmark round trip failed: \(error)")
            }
            if i >= 0 { samples[i] = Double(Deadline.now.nanoseconds - start) / 1e3 }
        }
        echo.join()
        usageCheck(echo.exitCode == 0, "pipe benchmark child failed (exit code \(echo.exitCode ?? -1))")
        parent.close()
        samples.sort()
        return samples[samples.count / 2]
    }

    /// A pipe whose send and receive paths have run once in this process, so the fork child
    /// runs no code for the first time.
    private static func pipe(duplex: Bool) -> (Connection, Connection) {
        do {
            let (a, b) = try Pipe(duplex: duplex)
            let (sender, receiver) = duplex ? (a, b) : (b, a)
            try sender.send(-1)
            _ = try receiver.receive(Int.self)
            return (a, b)
        } catch {
            fatalError("pipe benchmark setup failed: \(error)")
        }
    }
}
