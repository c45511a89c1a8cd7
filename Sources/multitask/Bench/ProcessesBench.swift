import Multitask
import MultitaskBenchmarks

/// The process start-up metrics of `Benchmarks/baselines/METRICS.md`: `start()` + `join()` of a no-op
/// child per start method (the fork server is warm before timing), and beside them the
/// toolchain's `posix_spawn` of `/bin/true` + `waitpid` and a bare `fork` + `_exit` + `waitpid` of
/// this program (the floor under `.fork` and `.forkserver`). The methods take turns in 5 rounds,
/// each a block of consecutive samples (a start right after another method's start would
/// measure that method's leftovers too); a figure is the median of its blocks' medians.
enum ProcessesBench {
    static let area = BenchArea(name: "processes") { report in
        let runs: [(StartMethod, String, Int)] = [(.fork, "fork", 200), (.spawn, "spawn", 30), (.forkserver, "forkserver", 60)]
        for (method, _, _) in runs { ProcessBenchmark.warmUp(method: method) }
        for _ in 0..<3 { _ = SpawnPeer.startJoinMicroseconds(); _ = ForkPeer.forkExitWaitMicroseconds() }
        let rounds = 5, spawnSamples = 60, forkSamples = 200
        let rows = runs.map { method, name, samples in
            PeerGroup.Row(metric: "process_start_join_\(name)", unit: "us",
                          note: "Process start()+join() of a no-op, .\(name), \(samples) samples in \(rounds) interleaved blocks, median of block medians",
                          rounds: rounds) {
                (0..<(samples / rounds)).map { _ in ProcessBenchmark.startJoinMicroseconds(method: method) }.median
            }
        }
        let peer = PeerGroup.Row(metric: "peer_posix_spawn_true_start_join", unit: "us",
                                 note: "posix_spawn of /bin/true + waitpid, \(spawnSamples) samples in \(rounds) interleaved blocks, median of block medians",
                                 peerOf: ["process_start_join_spawn", "process_start_join_forkserver"], rounds: rounds) {
            (0..<(spawnSamples / rounds)).map { _ in SpawnPeer.startJoinMicroseconds() }.median
        }
        let forkPeer = PeerGroup.Row(metric: "peer_fork_exit_waitpid", unit: "us",
                                     note: "fork() of this Swift program + _exit(0) + waitpid, \(forkSamples) samples in \(rounds) interleaved blocks, median of block medians",
                                     peerOf: ["process_start_join_fork", "process_start_join_forkserver"], rounds: rounds) {
            (0..<(forkSamples / rounds)).map { _ in ForkPeer.forkExitWaitMicroseconds() }.median
        }
        PeerGroup(rows: rows + [peer, forkPeer]).run(report)
    }
}
