import ArgumentParser
import CShim

/// `multitask lab`: the seed's lessons measured on this machine.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Measure sequential vs parallel vs concurrent work on this machine.",
        discussion: """
            Runs the same units of CPU-bound work (arithmetic) and blocking work (50 ms sleeps)
            one after another and on several workers, and prints wall time, speed-up and what
            each row shows.
            """
    )

    @Flag(help: "Print the rows as JSON instead of a table.")
    var json = false

    @Option(help: "CPU-bound units per row (default: 2 per core).")
    var cpuUnits: Int?

    @Option(help: "Blocking 50 ms units per row.")
    var blockingUnits = 20

    @Option(help: "Workers for the blocking rows.")
    var blockingWorkers = 10

    @Flag(help: "Also run the same workloads in CPython (threads and processes), when python3 is installed.")
    var python = false

    func run() throws {
        let cores = max(1, Int(cshim_cpu_count()))
        let experiment = LabExperiment(
            cores: cores,
            cpuUnits: cpuUnits ?? 2 * cores,
            blockingUnits: blockingUnits,
            cpuIterations: Workloads.cpuUnitIterations,
            blockingWorkers: blockingWorkers
        )
        let bar = ProgressBar(enabled: standardErrorIsTerminal && !json)
        if !json && !standardErrorIsTerminal { writeError("running \(experiment.plan.count) measurements…\n") }
        var rows = experiment.run { done, total, label in bar.show(done: done, total: total, label: label) }
        if python {
            bar.show(done: 0, total: 1, label: "CPython (threads and processes)")
            do {
                let pyRows = try PythonPeer.run(cores: cores, cpuUnits: experiment.cpuUnits, blockingUnits: blockingUnits, blockingWorkers: blockingWorkers)
                rows = LabExperiment.read(rows + pyRows, cores: cores)
            } catch {
                writeError("--python: \(error); showing Multitask rows only\n")
            }
        }
        bar.finish()
        print(json ? LabReport.json(rows, cores: cores) : LabReport.table(rows, cores: cores))
    }
}
