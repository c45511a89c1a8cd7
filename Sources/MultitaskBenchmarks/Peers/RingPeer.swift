import CRingPeer
import Multitask

/// The C shared-memory ring of `Benchmarks/baselines/c_limit.c` (its `ring` benchmark, 8-byte
/// messages, spin-only mode) measured by `multitask bench` itself, in the same harness as
/// `Queue<Int>` (``QueueBenchmark``: a fork child consumes, the clock runs from the start
/// signal to the last receipt) and interleaved with it, so that the ratio of the two is taken
/// at the same moments: the machine's speed for cache-line traffic between its two vCPUs
/// changes within seconds (METRICS.md), and `run.py` can only run the C limit before ours.
/// Spin-only, not c_limit's futex mode: that one, in this harness, fell into the two sides
/// taking turns on one vCPU on every run (see `CRingPeer/include/ring_peer.h`).
public enum RingPeer {
    /// `peer_c_shm_ring_spin_throughput_8B`: `count` 8-byte values through the C ring, in
    /// messages per second.
    public static func throughputInt(count: Int) -> Double {
        let ring = benchmarkSharedBytes(ring_peer_size())
        // [0] the producer's side (this process), [1] the consumer's (the fork child's copy).
        let sides = UnsafeMutablePointer<ring_peer_side>.allocate(capacity: 2)
        sides.initialize(repeating: ring_peer_side(index: 0, other: 0), count: 2)
        defer { sides.deallocate() }
        let (pointer, producer, consumer) = (ring.pointer, sides, sides + 1)
        let seconds = QueueBenchmark.transfer(count: count,
                                              put: { (i) throws(QueueError) in ring_peer_put(pointer, producer, UInt64(i)) },
                                              get: { () throws(QueueError) in Int(ring_peer_get(pointer, consumer)) })
        withExtendedLifetime(ring.owner) {}
        return Double(count) / seconds
    }
}
