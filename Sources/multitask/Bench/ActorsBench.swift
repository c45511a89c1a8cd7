import Multitask
import MultitaskBenchmarks

/// `multitask bench --only actors`: distributed actors of a `ProcessActorSystem` in a
/// forkserver child, beside the same actor in this process (through the remote-call path,
/// and as a plain local actor) and the raw queue round trip the calls travel on.
enum ActorsBench {
    static let area = BenchArea(name: "actors") { report in
        let child = BenchMetric(name: "actor_call_rtt_child", value: IPCBench.median(3) { ActorBenchmark.roundTripMicroseconds(at: .child, throwing: false, calls: 20_000) },
                                unit: "us", note: "distributed call to an actor in a forkserver child, median round trip, median of 3 runs")
        report(child)
        report(BenchMetric(name: "actor_call_rtt_child_throws", value: IPCBench.median(3) { ActorBenchmark.roundTripMicroseconds(at: .child, throwing: true, calls: 20_000) },
                           unit: "us", note: "the same through a `throws` method"))
        report(BenchMetric(name: "actor_throughput_1_caller", value: IPCBench.median(3) { ActorBenchmark.throughput(callers: 1, calls: 50_000) },
                           unit: "calls/s", note: "1 task calling an actor in a forkserver child, 50k calls, median of 3"))
        report(BenchMetric(name: "actor_throughput_8_callers", value: IPCBench.median(3) { ActorBenchmark.throughput(callers: 8, calls: 200_000) },
                           unit: "calls/s", note: "8 tasks calling one actor in a forkserver child, 200k calls, median of 3"))
        report(BenchMetric(name: "actor_throughput_8_callers_executor", value: IPCBench.median(3) { ActorBenchmark.throughput(callers: 8, calls: 200_000, onCallerExecutor: true) },
                           unit: "calls/s", note: "the same 8 tasks with the system's callerExecutor as their executor preference (opt-in), median of 3"))
        report(BenchMetric(name: "actor_crash_to_restart", value: ActorBenchmark.crashToRestartMilliseconds(runs: 21),
                           unit: "ms", note: "SIGKILL of a forkserver host to the first call its restarted host answers, median of 21"))
        report(BenchMetric(name: "actor_call_rtt_loopback", value: IPCBench.median(3) { ActorBenchmark.roundTripMicroseconds(at: .loopback, throwing: false, calls: 20_000) },
                           unit: "us", note: "the same call to an actor in this process through the remote-call path (encode, executeDistributedTarget, reply), no queues",
                           peerOf: ["actor_call_rtt_child"]))
        report(BenchMetric(name: "actor_call_rtt_local", value: IPCBench.median(3) { ActorBenchmark.roundTripMicroseconds(at: .local, throwing: false, calls: 20_000) },
                           unit: "us", note: "the same distributed call to the actor in this process, median round trip",
                           peerOf: ["actor_call_rtt_child"]))
        report(BenchMetric(name: "actor_queue_rtt", value: IPCBench.median(3) { ActorBenchmark.queueRoundTripMicroseconds(roundTrips: 20_000) },
                           unit: "us", note: "an Int through two Queues to a forkserver child and back, median round trip",
                           peerOf: ["actor_call_rtt_child"]))
    }
}
