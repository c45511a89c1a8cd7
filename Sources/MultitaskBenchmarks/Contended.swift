import Multitask
import Synchronization

/// The harness of the contended-lock measurements, shared by ours and the peers: several
/// threads start together and each runs the same loop; only the lock inside differs.
enum Contended {
    /// Wall-clock nanoseconds per operation while `threads` threads each run `loop(perThread)`,
    /// from the moment all are released together until the last has finished.
    static func nanosecondsPerOperation(threads: Int, perThread: Int, _ loop: @escaping @Sendable (Int) -> Void) -> Double {
        let ready = Atomic<Int>(0)
        let go = Atomic<Bool>(false)
        let workers = (0..<threads).map { index in
            Thread(name: "contender-\(index + 1)") {
                ready.add(1, ordering: .releasing)
                while !go.load(ordering: .acquiring) {}
                loop(perThread)
            }
        }
        workers.forEach { $0.start() }
        while ready.load(ordering: .acquiring) < threads {}
        return Stopwatch.nanoseconds(per: threads * perThread) {
            go.store(true, ordering: .releasing)
            workers.forEach { $0.join() }
        }
    }
}
