#if MPI
import Distributed
import Multitask
import MultitaskBenchmarks
import MultitaskMPI

/// `multitask bench --only mpi` (a build with the trait MPI): the MPI pool's task round trip and
/// `map` throughput, and the round trip of a call to a distributed actor on node 1, with 2 MPI workers spawned from this tool (`MPI_Comm_spawn`, no
/// `mpirun`), one local worker process each; under `mpirun -n 3 -x MULTITASK_MPI_WORKERS=1`
/// the same on the launched ranks, as metrics `mpi_launched_…`. The peer is `mpi4py.futures`
/// (`Benchmarks/baselines/mpi4py_futures_peer.py`, same metric names, run the same two ways).
enum MPIBench {
    static let area = BenchArea(name: "mpi") { report in
        do {
            let launched = MPI.launchedRank != nil
            let (prefix, what) = launched ? ("mpi_launched_", "launched MPI pool (mpirun -n 3)") : ("mpi_", "spawned MPI pool (2 workers)")
            let pool = try Pool(mpi: launched ? .launched : .spawned(2, workersPerNode: 1))
            defer {
                pool.close()
                pool.join()
            }
            _ = try pool.map(MPIBenchIdentity.self, Array(0..<2000))
            report(BenchMetric(name: prefix + "task_rtt", value: try roundTrip(pool), unit: "us",
                               note: "\(what): apply of a no-op, median of 2k"))
            if let actor = actorRoundTrip() {
                report(BenchMetric(name: prefix + "actor_rtt", value: actor, unit: "us",
                                   note: "\(what): call to a distributed actor on node 1 (in a child of the node), median of 2k"))
            }
            for (chunk, count, runs) in [(1, 20_000, 5), (1000, 2_000_000, 5)] {
                let rates = try (0..<runs).map { _ in try mapRate(pool, count: count, chunkSize: chunk) }
                report(BenchMetric(name: prefix + "map_chunksize\(chunk)_throughput", value: rates.median, unit: "tasks/s",
                                   note: "\(what): map of a no-op over \(count) ints, chunk size \(chunk), median of \(runs)"))
            }
        } catch {
            writeError("bench mpi: \(error)\n")
        }
    }

    /// The median microseconds of one `apply` of a no-op task, over 2,000 in a row.
    static func roundTrip(_ pool: Pool) throws -> Double {
        var samples: [Double] = []
        for index in 0..<2000 {
            let start = ContinuousClock.now
            _ = try pool.apply(MPIBenchNoOp(value: index))
            samples.append(seconds(ContinuousClock.now - start) * 1e6)
        }
        return samples.median
    }

    /// The median microseconds of one call to a distributed actor placed on node 1, over 2,000
    /// in a row after 200 (nil, with the reason on standard error, when it cannot be placed).
    static func actorRoundTrip() -> Double? {
        BlockingAsync.run {
            let system = ProcessActorSystem()
            defer { system.shutdown() }
            do {
                let echo = try await MPIBenchEcho.spawn(in: .mpiNode(1), using: system)
                var samples: [Double] = []
                for index in -200..<2000 {
                    let start = ContinuousClock.now
                    let answer = try await echo.echo(index)
                    if index >= 0 { samples.append(seconds(ContinuousClock.now - start) * 1e6) }
                    guard answer == index else { throw ActorSystemError.transport("wrong answer \(answer) for \(index)") }
                }
                return samples.median
            } catch {
                writeError("bench mpi: actor round trip: \(error)\n")
                return nil
            }
        }
    }

    /// Tasks per second of a no-op `map` over `count` ints.
    static func mapRate(_ pool: Pool, count: Int, chunkSize: Int) throws -> Double {
        let inputs = Array(0..<count)
        let start = ContinuousClock.now
        _ = try pool.map(MPIBenchIdentity.self, inputs, chunkSize: chunkSize)
        return Double(count) / seconds(ContinuousClock.now - start)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The round trip's task: returns its value.
struct MPIBenchNoOp: PoolTask {
    var value: Int
    func run() -> Int { value }
}

/// The actor of the round trip on node 1: returns its argument.
distributed actor MPIBenchEcho: HostableActor {
    distributed func echo(_ value: Int) -> Int { value }
}

/// The `map` benchmark's function: returns its input.
enum MPIBenchIdentity: PoolFunction {
    static func run(_ x: Int) -> Int { x }
}
#endif
