#if MPI
import Multitask
import MultitaskBenchmarks
import MultitaskMPI

/// `multitask lab`'s "beyond one machine" section (a build with the trait MPI): the lab's
/// CPU-bound units mapped on an MPI pool of 1 node, then of 2 nodes, each node a spawned copy
/// of this tool feeding its own local worker processes. On one machine the nodes share its
/// cores; across machines (a hostfile) each node brings its own.
///
/// MPI starts once per process and ends with its pool, so each row runs in a fresh copy of
/// this tool (`lab --mpi-nodes N`), which prints its two timings on one line.
enum MPILab {
    /// One measured row: how many nodes, their local workers, and the times.
    struct Row {
        let nodes: Int
        let workersPerNode: Int
        let units: Int
        let iterations: Int
        /// Seconds from asking for the pool to every node ready (`MPI_Comm_spawn` included).
        let startSeconds: Double
        /// Seconds of the `map` of the units alone.
        let seconds: Double
        var speedup = 1.0
    }

    /// The local workers of each node: half the cores, so that 2 nodes fill this machine.
    static func workersPerNode(cores: Int) -> Int { max(1, cores / 2) }

    /// In the copy started for one row: spawns `nodes` nodes, maps the units and prints
    /// "START MAP" seconds.
    static func measureRow(nodes: Int, workersPerNode: Int, units: Int, iterations: Int) throws {
        var pool: Pool?
        let start = try Stopwatch.seconds { pool = try Pool(mpi: .spawned(nodes, workersPerNode: workersPerNode)) }
        guard let pool else { return }
        defer {
            pool.close()
            pool.join()
        }
        _ = try pool.map(LabCPUUnit.self, Array(repeating: 1, count: nodes * workersPerNode))  // every worker warm
        let seconds = try Stopwatch.seconds {
            _ = try pool.map(LabCPUUnit.self, (0..<units).map { iterations + $0 })
        }
        print("\(start) \(seconds)")
    }

    /// Runs the 1-node and the 2-node rows, each in a fresh copy of this tool; nil (with the
    /// reason on standard error) when MPI cannot start here.
    static func run(cores: Int, units: Int, iterations: Int) -> [Row]? {
        let perNode = workersPerNode(cores: cores)
        var rows: [Row] = []
        for nodes in [1, 2] {
            let arguments = ["/proc/self/exe", "lab", "--mpi-nodes", "\(nodes)", "--cpu-units", "\(units)"]
            let output: String
            do {
                output = try ProgramRunner.outputOf(arguments)
            } catch {
                writeError("lab: beyond one machine (MPI): \(error); section left out\n")
                return nil
            }
            let fields = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
            guard fields.count == 2 else {
                writeError("lab: beyond one machine (MPI): `lab --mpi-nodes \(nodes)` printed '\(output)'; section left out\n")
                return nil
            }
            rows.append(Row(nodes: nodes, workersPerNode: perNode, units: units, iterations: iterations,
                            startSeconds: fields[0], seconds: fields[1]))
        }
        let base = rows[0].seconds
        return rows.map { row in
            var row = row
            row.speedup = base / row.seconds
            return row
        }
    }

    /// The section as a table, with one sentence that reads it.
    static func table(_ rows: [Row], cores: Int) -> String {
        var out = "\nBeyond one machine (MPI, nodes spawned by MPI_Comm_spawn) — the same CPU-bound units.\n\n"
        var table = TextTable(headers: ["nodes", "workers/node", "units", "unit", "start s", "wall s", "speed-up", "reading"])
        for row in rows {
            table.rows.append(["\(row.nodes)", "\(row.workersPerNode)", "\(row.units)", "\(row.iterations / 1_000_000) M iter",
                               format(row.startSeconds), format(row.seconds), format(row.speedup, decimals: 2) + "×", reading(row, cores: cores)])
        }
        out += table.rendered()
        out += """

            Each node is a process that runs no task itself: it feeds its own local worker processes,
            so a task that crashes fails alone. Here the nodes share this machine's \(cores) core(s);
            with a hostfile (mpirun --hostfile) each node brings the cores of its own machine.
            """
        return out
    }

    /// One sentence on a row.
    static func reading(_ row: Row, cores: Int) -> String {
        let x = format(row.speedup, decimals: 2)
        guard row.nodes > 1 else { return "one node: the baseline (start-up not counted)" }
        let ideal = Double(min(row.nodes * row.workersPerNode, cores)) / Double(min(row.workersPerNode, cores))
        return row.speedup >= 0.8 * ideal
            ? "\(x)×: the units spread over \(row.nodes) nodes by demand"
            : "\(x)× of an ideal \(format(ideal, decimals: 2))×: the cores were busy with something else (noisy machine)"
    }

    /// The rows as JSON objects, for `lab --json`.
    static func json(_ rows: [Row]) -> [String] {
        rows.map { r in
            #"{"nodes": \#(r.nodes), "workersPerNode": \#(r.workersPerNode), "units": \#(r.units), "iterationsPerUnit": \#(r.iterations), "startSeconds": \#(r.startSeconds), "seconds": \#(r.seconds), "speedup": \#(r.speedup)}"#
        }
    }
}
#endif
