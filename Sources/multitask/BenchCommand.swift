import ArgumentParser
import Multitask

/// `multitask bench`: the metrics of `Benchmarks/baselines/METRICS.md`, measured on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Multitask's primitives (medians) with the metric names the baselines use.",
        discussion: """
            With --json, prints one JSON object per line: {"metric": NAME, "value": N, "unit": U}.
            Rows of the toolchain's own primitives (Mutex, pthread_mutex, Dispatch, task
            groups, AsyncStream, posix_spawn), named peer_..., are measured in the same run,
            interleaved with ours, and carry "peer_of": [OUR METRICS] and "ours_over_peer":
            {METRIC: RATIO}; the table prints the ratios after their note (for times, below 1
            means ours is faster; for rates, above 1).
            Compare with CPython and C in one run (a static Swift runtime makes processes
            start faster; README shows both builds):
              swift build -c release --static-swift-stdlib
              python3 Benchmarks/baselines/run.py --ours ".build/release/multitask bench --json" --rounds 3
            Each area runs in a fresh copy of this tool, so that one area's leftovers (malloc
            arenas, cached thread stacks, which every later fork copies) do not weigh on the
            next; --in-process runs them all in this process instead.
            """
    )

    @Flag(help: "Print one JSON object per metric instead of a table.")
    var json = false

    @Option(help: "Run only these areas (comma-separated): \(BenchCommand.areas.map(\.name).joined(separator: ", ")).")
    var only: String?

    @Flag(help: "Run every area in this process instead of one fresh process per area.")
    var inProcess = false

    /// Set on the copies that run one area each: they print no table header.
    @Flag(help: .hidden)
    var noHeader = false

    static var areas: [BenchArea] {
        #if MPI
        [ThreadingBench.area, ProcessesBench.area, IPCBench.area, PoolBench.area, ActorsBench.area, DeadlockBench.area, MPIBench.area]
        #else
        [ThreadingBench.area, ProcessesBench.area, IPCBench.area, PoolBench.area, ActorsBench.area, DeadlockBench.area]
        #endif
    }

    func validate() throws {
        let known = Set(Self.areas.map(\.name))
        for name in selectedNames where !known.contains(name) {
            throw ValidationError("unknown area '\(name)'; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    private var selectedNames: [String] {
        only?.split(separator: ",").map { String($0).trimmingWhitespace } ?? Self.areas.map(\.name)
    }

    func run() throws {
        // Forking from this multi-threaded benchmark is deliberate; the warning would only be noise.
        Multitask.warnsOnMultithreadedFork = false
        let chosen = Self.areas.filter { selectedNames.contains($0.name) }
        if !json && !noHeader { print(pad("metric", 42) + pad("value", 14) + pad("unit", 9) + "what") }
        if chosen.count > 1 && !inProcess {
            for area in chosen {
                let arguments = ["/proc/self/exe", "bench", "--only", area.name, "--no-header"] + (json ? ["--json"] : [])
                print(try ProgramRunner.outputOf(arguments), terminator: "")
                flushStandardOutput()
            }
            return
        }
        for area in chosen {
            area.run { metric in
                if json {
                    print(metric.jsonLine)
                } else {
                    print(pad(metric.name, 42) + pad(format(metric.value), 14) + pad(metric.unit, 9) + metric.tableNote)
                }
                flushStandardOutput()
            }
        }
    }
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
