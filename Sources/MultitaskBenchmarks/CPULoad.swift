import Multitask
import Synchronization

/// Busy threads beside a measurement, so that it runs on a machine whose CPUs are taken (the
/// `_loaded` metrics): the figure then includes the scheduler's decisions, not only wake-ups.
public enum CPULoad {
    /// Runs `body` while `threads` extra threads spin on arithmetic; returns its value.
    public static func beside<Value>(threads: Int, _ body: () -> Value) -> Value {
        let stop = Atomic<Bool>(false)
        let sink = Atomic<UInt64>(0)
        let burners = (0..<threads).map { index in
            Thread(name: "cpu-load-\(index + 1)") {
                var x = UInt64(index)
                while !stop.load(ordering: .relaxed) {
                    for _ in 0..<1000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
                }
                sink.store(x, ordering: .relaxed)  // keeps the loop from being removed
            }
        }
        burners.forEach { $0.start() }
        defer {
            stop.store(true, ordering: .relaxed)
            burners.forEach { $0.join() }
        }
        return body()
    }
}
