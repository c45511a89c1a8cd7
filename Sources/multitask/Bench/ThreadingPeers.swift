import Multitask
import MultitaskBenchmarks

/// The threading rows measured beside the toolchain's own primitives (issue 16 item 5), each
/// group interleaved round by round (``PeerGroup``); peer rows are named `peer_…` and carry
/// `peer_of`.
enum ThreadingPeers {
    /// Uncontended locks on one thread: ours `acquire`/`release` (`lock_uncontended`) and
    /// `withLock { n += 1 }`, against `Mutex.withLock` (the peer of both: issue 16 asks both to
    /// be within it) and `pthread_mutex_lock/unlock`.
    static func locks(_ report: (BenchMetric) -> Void) {
        ThreadingBench.startAndJoinAThread()
        let (rounds, n) = (ThreadingBench.uncontendedRounds, ThreadingBench.uncontendedIterations)
        let lock = Lock(), withLockLock = Lock()
        let pairs = ["lock_uncontended"], withLock = ["lock_withlock_uncontended"]
        let note = "median of 7 x 20M, interleaved with the peers"
        PeerGroup(rows: [
            .init(metric: "lock_uncontended", unit: "ns/pair", note: "Lock acquire+release, \(note)", rounds: rounds) {
                LockBenchmark.acquireReleaseNanoseconds(lock, iterations: n)
            },
            .init(metric: "lock_withlock_uncontended", unit: "ns/op", note: "Lock.withLock { n += 1 }, \(note)", rounds: rounds) {
                LockBenchmark.withLockNanoseconds(withLockLock, iterations: n)
            },
            .init(metric: "peer_mutex_withlock_uncontended", unit: "ns/op", note: "Synchronization.Mutex.withLock { $0 += 1 }, \(note)",
                  peerOf: withLock + pairs, rounds: rounds) { LockPeers.mutexWithLockNanoseconds(iterations: n) },
            .init(metric: "peer_pthread_mutex_uncontended", unit: "ns/pair", note: "pthread_mutex_lock+unlock, \(note)",
                  peerOf: pairs, rounds: rounds) { LockPeers.pthreadMutexNanoseconds(iterations: n) },
        ]).run(report)
    }

    /// Two threads × 10^6 `withLock { n += 1 }` on one lock: ours against `Mutex`.
    static func contendedLocks(_ report: (BenchMetric) -> Void) {
        let note = "2 threads x 1M withLock { n += 1 }, wall time / 2M, median of 7, interleaved"
        PeerGroup(rows: [
            .init(metric: "lock_contended_2threads", unit: "ns/op", note: "Lock, \(note)", rounds: 7) {
                LockBenchmark.contendedNanoseconds(threads: 2, perThread: 1_000_000)
            },
            .init(metric: "peer_mutex_contended_2threads", unit: "ns/op", note: "Synchronization.Mutex, \(note)",
                  peerOf: ["lock_contended_2threads"], rounds: 7) {
                LockPeers.mutexContendedNanoseconds(threads: 2, perThread: 1_000_000)
            },
        ]).run(report)
    }

    /// Ping-pong between two threads: our `Event` against `DispatchSemaphore`, on a quiet
    /// machine (`event_pingpong_rtt`) or beside two CPU-bound threads (`…_loaded`).
    static func pingPong(_ report: (BenchMetric) -> Void, loaded: Bool) {
        let (suffix, roundTrips, rounds) = loaded ? ("_loaded", 3_000, 5) : ("", 30_000, 3)
        let beside = loaded ? 2 : 0
        let note = "median round trip of \(roundTrips / 1000)k, median of \(rounds) interleaved runs"
            + (loaded ? ", beside 2 CPU-bound threads" : "")
        PeerGroup(rows: [
            .init(metric: "event_pingpong_rtt" + suffix, unit: "us", note: "Event ping-pong, \(note)", rounds: rounds) {
                CPULoad.beside(threads: beside) { PingPong.eventMicroseconds(roundTrips: roundTrips) }
            },
            .init(metric: "peer_dispatchsemaphore_pingpong_rtt" + suffix, unit: "us", note: "DispatchSemaphore ping-pong, \(note)",
                  peerOf: ["event_pingpong_rtt" + suffix], rounds: rounds) {
                CPULoad.beside(threads: beside) { DispatchPeers.semaphorePingPongMicroseconds(roundTrips: roundTrips) }
            },
        ]).run(report)
    }

    /// One producer thread → one consumer, 10^6 Ints: `ThreadQueue<Int>` against `AsyncStream`
    /// and a serial `DispatchQueue`.
    static func channels(_ report: (BenchMetric) -> Void) {
        let count = 1_000_000
        let ours = "thread_queue_throughput_int_1M"
        let note = "1 producer thread -> 1 consumer, 1M Ints, median of 5, interleaved"
        PeerGroup(rows: [
            .init(metric: ours, unit: "msgs/s", note: "ThreadQueue<Int>, \(note)", rounds: 5) {
                ThreadQueueBenchmark.throughputInt(count: count)
            },
            .init(metric: "peer_asyncstream_throughput_int_1M", unit: "msgs/s", note: "AsyncStream<Int> (unbounded) to a task, \(note)",
                  peerOf: [ours], rounds: 5) { ConcurrencyPeers.asyncStreamThroughputInt(count: count) },
            .init(metric: "peer_dispatch_serial_throughput_int_1M", unit: "msgs/s", note: "async to a serial DispatchQueue, \(note)",
                  peerOf: [ours], rounds: 5) { DispatchPeers.serialQueueThroughputInt(count: count) },
        ]).run(report)
    }

    /// 100k no-op tasks: `ThreadPool.applyAsync` and `ThreadPool.map` (chunk 1) against
    /// `DispatchQueue.global().async` + `DispatchGroup` and `withTaskGroup`.
    static func tasks(_ report: (BenchMetric) -> Void) {
        let count = 100_000
        let pool = ThreadPool()
        defer {
            pool.close()
            pool.join()
        }
        _ = ThreadPoolBenchmark.applyAsyncMicroseconds(pool, count: 1000)
        _ = DispatchPeers.globalAsyncMicroseconds(count: 1000)
        _ = ConcurrencyPeers.taskGroupMicroseconds(count: 1000)
        let ours = ["threadpool_apply_async_100k", "threadpool_map_chunksize1_100k"]
        let note = "100k no-op tasks, median of 5, interleaved"
        PeerGroup(rows: [
            .init(metric: ours[0], unit: "us/task", note: "ThreadPool(\(pool.threadCount)) applyAsync then get all, \(note)", rounds: 5) {
                ThreadPoolBenchmark.applyAsyncMicroseconds(pool, count: count)
            },
            .init(metric: ours[1], unit: "us/task", note: "ThreadPool(\(pool.threadCount)) map, chunk size 1, \(note)", rounds: 5) {
                ThreadPoolBenchmark.mapMicroseconds(pool, count: count)
            },
            .init(metric: "peer_dispatch_global_async_100k", unit: "us/task", note: "DispatchQueue.global().async + DispatchGroup.wait, \(note)",
                  peerOf: ours, rounds: 5) { DispatchPeers.globalAsyncMicroseconds(count: count) },
            .init(metric: "peer_taskgroup_100k", unit: "us/task", note: "withTaskGroup, 100k child tasks, \(note)",
                  peerOf: ours, rounds: 5) { ConcurrencyPeers.taskGroupMicroseconds(count: count) },
        ]).run(report)
    }
}
