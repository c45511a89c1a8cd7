#if MPI
import Multitask
import MultitaskBenchmarks
import MultitaskMPI

/// `multitask bench --only mpi` (a build with the trait MPI): the MPI pool's task round trip and
/// `map` throughput, with 2 MPI workers spawned from this tool (`MPI_Comm_spawn`, no
/// `mpirun`), one local worker process each. The peer is `mpi4py.futures`
/// (`Benchmarks/baselines/mpi4py_futures_peer.py`, same metric names).
enum MPIBench {
    static let area = BenchArea(name: "mpi") { report in
        do {
            let pool = try Pool(mpi: .spawned(2, workersPerNode: 1))
            defer {
                pool.close()
                pool.join()
            }
            _ = try pool.map(MPIBenchIdentity.self, Array(0..<2000))
            report(BenchMetric(name: "mpi_task_rtt", value: try roundTrip(pool), unit: "us",
                               note: "spawned MPI pool (2 workers): apply of a no-op, median of 2k"))
            for (chunk, count, runs) in [(1, 20_000, 5), (1000, 2_000_000, 5)] {
                let rates = try (0..<runs).map { _ in try mapRate(pool, count: count, chunkSize: chunk) }
                report(BenchMetric(name: "mpi_map_chunksize\(chunk)_throughput", value: rates.median, unit: "tasks/s",
                                   note: "spawned MPI pool (2 workers): map of a no-op over \(count) ints, chunk size \(chunk), median of \(runs)"))
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

/// The `map` benchmark's function: returns its input.
enum MPIBenchIdentity: PoolFunction {
    static func run(_ x: Int) -> Int { x }
}
#endif
